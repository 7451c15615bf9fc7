"""The files of the production topology (docs/scaling.md): Varnish's VCL
compiles, and the compose file describes the servers `make cluster-test` runs.

`make cluster-test` (tools/cluster.py) runs them on real local servers; no Docker
engine runs here, so the compose file is checked for its structure only.
"""

import re
import subprocess
from pathlib import Path

import yaml

from tests.conftest import need
from tools.cluster import VARNISHD, render_vcl

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
COMPOSE = ROOT / "deploy" / "compose.cluster.yaml"
CONTRACT = {"DATABASE_URL", "DATABASE_REPLICA_URLS", "REDIS_URL", "HTTP_CACHE_PURGE_URLS"}


def test_the_vcl_compiles_with_the_cluster_tests_backends(tmp_path):
    need(Path(VARNISHD).exists(), "varnishd is missing: apt-get install -y varnish varnish-modules")
    vcl = tmp_path / "default.vcl"
    vcl.write_text(render_vcl({"app_a": 8990, "app_b": 8991}))
    result = subprocess.run(
        # No jail: as root, varnishd would read the file as its own user.
        [VARNISHD, "-C", "-j", "none", "-n", str(tmp_path / "work"), "-f", str(vcl)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "xkey" in result.stderr  # the vmod was found (varnish-modules)


def test_render_vcl_points_each_backend_at_its_port():
    text = render_vcl({"app_a": 8990, "app_b": 8991})
    backends = dict(
        re.findall(r'backend (\w+) \{\s*\.host = "127\.0\.0\.1";\s*\.port = "(\d+)";', text)
    )
    assert backends == {"app_a": "8990", "app_b": "8991"}
    assert "import xkey;" in text


def test_the_vcl_keeps_editors_pages_out_of_the_cache():
    text = VCL.read_text()
    for path in ("admin", "corrections", "correction"):
        assert re.search(rf"req\.url ~ .*{path}", text), path
    assert "unset req.http.Cookie;" in text
    assert "unset beresp.http.Set-Cookie;" in text
    assert "set beresp.grace = 24h;" in text
    assert "xkey.purge(req.http.xkey-purge)" in text


def test_the_compose_file_describes_the_cluster():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == {"varnish", "app-a", "app-b", "worker", "redis", "db", "db-replica"}
    assert services["worker"]["command"] == ["python", "manage.py", "worker"]
    for name in ("app-a", "app-b", "worker"):
        assert services[name]["build"] == ".."
        environment = services[name]["environment"]
        assert set(environment) >= CONTRACT, name
        assert "@db:" in environment["DATABASE_URL"]
        assert "@db-replica:" in environment["DATABASE_REPLICA_URLS"]
        assert environment["HTTP_CACHE_PURGE_URLS"] == "http://varnish:80"
        # The worker writes the data package where every app server reads it.
        assert environment["DJANGO_DATA_PACKAGE_DIR"] == "/var/lib/sironet/datapackage"
        assert "datapackage:/var/lib/sironet/datapackage" in services[name]["volumes"]
    # The VCL's backends are the app servers, by their names on compose's network.
    hosts = re.findall(r'\.host = "([^"]+)";', VCL.read_text())
    assert sorted(hosts) == ["app-a", "app-b"]
    assert services["varnish"]["volumes"] == ["./varnish/default.vcl:/etc/varnish/default.vcl:ro"]
    assert list(services["varnish"].get("ports", [])) == ["8080:80"]
    # Only Varnish is published.
    assert [name for name, service in services.items() if "ports" in service] == ["varnish"]
    replica = services["db-replica"]
    assert replica["entrypoint"] == ["/deploy/replica-entrypoint.sh"]
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), source
    scripts = sorted((COMPOSE.parent / "postgres").glob("*.sh"))
    assert [script.name for script in scripts] == ["primary-init.sh", "replica-entrypoint.sh"]
    for script in scripts:
        checked = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
        assert checked.returncode == 0, (script, checked.stderr)


def test_the_compose_file_runs_a_worker_beside_the_web_server():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert services["worker"]["command"] == ["python", "manage.py", "worker"]
    assert services["worker"]["environment"] == services["web"]["environment"]
    for name in ("web", "worker"):
        assert "datapackage:/var/lib/sironet/datapackage" in services[name]["volumes"]
