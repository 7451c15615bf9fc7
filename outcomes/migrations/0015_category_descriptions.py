# Issue 26: a category's description says only what its items say. Databases seeded
# before get the corrected descriptions, unless an editor has changed them since.

from django.db import migrations

CORRECTED = {
    "II": (
        "Training, scholarships, student and talent exchanges, and programmes that build "
        "skills and institutions.",
        "Training, a degree programme, student and talent exchanges, and programmes that "
        "build skills and institutions.",
        "培训、学位项目、学生与人才交流，以及培养技能、建设机构的项目。",
    ),
    "III": (
        "Alliances, industrial parks, investment information and jobs that support "
        "economic development.",
        "Alliances, planned industrial parks, investment information and jobs that support "
        "economic development.",
        "支持经济发展的联盟、计划中的产业园区、投资信息和就业。",
    ),
    "IV": (
        "Television, exhibitions, tea culture, traditional medicine and youth exchanges "
        "between peoples.",
        "A planned television programme, exhibitions, tea culture, traditional medicine and "
        "youth exchanges between peoples.",
        "一档计划中的电视节目，以及各国人民之间的展览、茶文化、传统医药和青少年交流。",
    ),
}


# The Chinese seeded with the old descriptions: replaced only where an editor left it.
BEFORE_ZH = {
    "II": "培训、奖学金、学生与人才交流，以及培养技能、建设机构的项目。",
    "III": "支持经济发展的联盟、产业园区、投资信息和就业。",
    "IV": "各国人民之间的电视节目、展览、茶文化、传统医药和青少年交流。",
}


def correct(apps, schema_editor):
    Category = apps.get_model("outcomes", "Category")
    for numeral, (before, after, after_zh) in CORRECTED.items():
        found = Category.objects.filter(numeral=numeral, description=before)
        found.update(description=after)
        # New Chinese waits for a review, as an editor's would.
        found = Category.objects.filter(numeral=numeral, description_zh=BEFORE_ZH[numeral])
        found.update(description_zh=after_zh, translation_reviewed=False)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0014_chinese_name_sources")]
    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
