# Varnish in front of the catalogue's app servers (Varnish 7 with varnish-modules' xkey).
#
# The app decides what may be kept: public pages say `Cache-Control: public, max-age=0,
# s-maxage=N` and name what they show in an `xkey` header (catalogue, outcome-<pk>,
# category-<slug>, ...); everything else (the admin, the correction forms, anything with
# a session) says `private, no-store`. After a change commits the app sends
# `PURGE /` with `xkey-purge: catalogue` (HTTP_CACHE_PURGE_URLS), and this file drops
# every page at once. While the app servers are down, the pages kept are served for a
# day (grace). deploy/compose.cluster.yaml and `make cluster-test` (tools/cluster.py)
# use this file; the cluster test rewrites the backends' .host and .port lines.
vcl 4.1;

import directors;
import std;
import vsthrottle;
import xkey;

# An app server is sick after 2 of the last 3 checks failed (about 2 s).
probe healthz {
    .url = "/healthz";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend app_a {
    .host = "app-a";
    .port = "8000";
    .probe = healthz;
}

backend app_b {
    .host = "app-b";
    .port = "8000";
    .probe = healthz;
}

# Who may purge: the app servers, on this host or a private network.
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app_a);
    app.add_backend(app_b);
}

sub vcl_recv {
    set req.backend_hint = app.backend();

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # A hard purge: a softpurge would leave the old pages to grace, and the next
        # visitor would see one while it is fetched again.
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged));
    }

    # Editors' and visitors' own pages: straight to the app, cookies and all. (An admin
    # moved with DJANGO_ADMIN_PATH needs its path here too.)
    if (req.method != "GET" && req.method != "HEAD"
        || req.url ~ "^/(zh-hans/)?admin(/|$)"
        || req.url ~ "^/(zh-hans/)?account(/|$)"
        || req.url ~ "^/(zh-hans/)?corrections(/|$)"
        || req.url ~ "^/(zh-hans/)?outcomes/[^/]+/correction(/|$)"
        || req.url ~ "^/healthz") {
        return (pass);
    }

    # Public pages are the same for everyone: no cookie reaches the app, and the
    # language is in the address (/zh-hans/...), not in Accept-Language (which Django
    # names in Vary on English pages, and would split the cache by browser).
    unset req.http.Cookie;
    unset req.http.Authorization;
    unset req.http.Accept-Language;

    # Stale pages only while the app is down; a healthy app is asked again at once.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

# Limits per client address on what reaches the app servers (a page kept here costs
# nothing and is not counted): pages 60 in 3 s, downloads and forms 10 in 10 s, login
# attempts 10 a minute. Past one: 429, answered here. Varnish is the edge; behind a
# load balancer, set client.identity from the address it reports (PROXY protocol).
sub limit_per_address {
    if (req.method == "POST" && req.url ~ "/login/$"
        && vsthrottle.is_denied("login " + client.identity, 10, 60s)) {
        return (synth(429, "Too Many Requests"));
    }
    if (req.url ~ "/outcomes/export\.|/corrections?/"
        && vsthrottle.is_denied("costly " + client.identity, 10, 10s)) {
        return (synth(429, "Too Many Requests"));
    }
    if (vsthrottle.is_denied("pages " + client.identity, 60, 3s)) {
        return (synth(429, "Too Many Requests"));
    }
}

sub vcl_miss {
    call limit_per_address;
}

sub vcl_pass {
    call limit_per_address;
}

sub vcl_backend_response {
    # Keep only what the app marks as a shared page: public with an s-maxage, not
    # private, no-store or no-cache. Everything else passes through (hit-for-miss).
    if (bereq.uncacheable) {
        return (deliver);
    }
    # An error while refreshing a page in the background keeps the old page.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.http.Cache-Control !~ "(?i)(public|s-maxage)"
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || (beresp.http.Set-Cookie && beresp.http.Cache-Control !~ "(?i)s-maxage")) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # A shared page never sets a cookie: one visitor's would go to all.
    unset beresp.http.Set-Cookie;
    set beresp.grace = 24h;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for this cache alone.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
}

sub vcl_synth {
    if (resp.status == 429) {
        set resp.http.Retry-After = "10";
        set resp.http.Cache-Control = "no-store";
    }
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}
