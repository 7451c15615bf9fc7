"""A record's state (its fields and its parts' rows) and the changes between two, for the
admin's conflict check; and the changes to an outcome's rows, in words, in its history."""

from contextlib import contextmanager

ROW = "__str__"  # a row's own name in a state: what the history calls it

# An outcome's parts: the rows its change form edits, each also on an admin page of its own.
OUTCOME_PARTS = ("participations", "figures", "programmes", "reaches", "mentions")

# The reason of the historical records `manage.py seed` makes: loading is not a correction.
LOADED = "Loaded from its source document"

# An editor's minor change (a slip of their own, a revert) starts its reason with this: it
# is kept in history and counts in the record's revision, but is no public correction.
MINOR = "Minor: "


def change_reason(reason, minor=False):
    """The reason an editor's save writes in history: theirs, marked when minor."""
    reason = " ".join(reason.split())
    return f"{MINOR}{reason}" if minor else reason


def is_public_correction(reason):
    """Whether a change with this reason is listed as a correction and fed."""
    return reason != LOADED and not (reason or "").startswith(MINOR)


def quoted(value):
    """A value in quotation marks; marks within it become single ones, so that a title
    quoting a name does not read as doubled marks (“‘One TV for Each Temple’ with …”)."""
    return "“" + str(value).replace("“", "‘").replace("”", "’") + "”"


def fields_in_words(record, skip=None):
    """A record's editable fields as a reader sees them: a link by its name, a choice
    by its label, nothing as ""."""
    values = {}
    for field in record._meta.concrete_fields:
        if not field.editable or field.primary_key or field.name == skip:
            continue
        if field.is_relation:
            values[field.name] = str(getattr(record, field.name) or "")
        elif field.choices:
            values[field.name] = getattr(record, f"get_{field.name}_display")()
        else:
            values[field.name] = field.value_to_string(record)
    return values


def record_state(obj, parts=()):
    """What an editor's change form shows of `obj`: its fields in words (plain links
    as sorted names), and each row of its `parts` (related names), by id."""
    state = {"": fields_in_words(obj)}
    for field in obj._meta.many_to_many:
        if field.remote_field.through._meta.auto_created:
            state[""][field.name] = sorted(str(item) for item in getattr(obj, field.name).all())
    for part in parts:
        relation = obj._meta.get_field(part)
        related = relation.related_model
        links = [
            field.name
            for field in related._meta.concrete_fields
            if field.many_to_one and field.name != relation.field.name
        ]
        rows = getattr(obj, part).select_related(*links).order_by("pk")
        state[part] = {
            str(row.pk): {ROW: str(row), **fields_in_words(row, skip=relation.field.name)}
            for row in rows
        }
    return state


def state_changes(model, loaded, current):
    """The differences between two record_state()s, in words."""

    def label(model, name):
        return str(model._meta.get_field(name).verbose_name)

    def shown(value):
        if isinstance(value, list):
            value = ", ".join(value)
        return "(empty)" if value in ("", None) else quoted(value)

    fields = loaded.get("", {})
    changes = [
        f"{label(model, name)}: {shown(fields.get(name))} → {shown(value)}"
        for name, value in current.get("", {}).items()
        if fields.get(name) != value
    ]
    for part in (key for key in current if key):
        related = model._meta.get_field(part).related_model
        plural = str(related._meta.verbose_name_plural)
        before, after = loaded.get(part, {}), current[part]
        changes += [f"{plural}: removed {shown(before[pk][ROW])}" for pk in before.keys() - after]
        changes += [f"{plural}: added {shown(after[pk][ROW])}" for pk in after.keys() - before]
        for pk in before.keys() & after.keys():
            for name, value in after[pk].items():
                if name != ROW and before[pk].get(name) != value:
                    old, new = shown(before[pk].get(name)), shown(value)
                    row = shown(before[pk][ROW])
                    changes.append(f"{plural}: {row}, {label(related, name)} {old} → {new}")
    return changes


@contextmanager
def with_row_changes(obj, parts, before=None):
    """Run the block that saves `obj`'s rows (from the state `before`, by default read now);
    then name their changes after any reason on its latest historical record (this save's)."""
    before = before if before is not None else record_state(obj, parts)
    yield
    # Its rows' changes only: those of its fields are the historical record's own.
    changes = state_changes(type(obj), before, {**record_state(obj, parts), "": {}})
    if changes:
        latest = obj.history.first()
        if latest is not None:
            reasons = [latest.history_change_reason or "", *changes]
            latest.history_change_reason = "; ".join(reason for reason in reasons if reason)
            latest.save(update_fields=["history_change_reason"])
