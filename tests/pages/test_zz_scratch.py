import pytest
from outcomes.models import Outcome
pytestmark = pytest.mark.django_db

def test_dump(client):
    o = Outcome.objects.get(reference="I.3")
    for prefix in ["", "/zh-hans"]:
        html = client.get(prefix + o.get_absolute_url()).content.decode()
        open(f"/tmp/i25-scratch/i3{prefix.replace('/','_')}.html","w").write(html)
        html = client.get(prefix + "/").content.decode()
        open(f"/tmp/i25-scratch/home{prefix.replace('/','_')}.html","w").write(html)
    print(client.get("/outcomes/feed.atom").content.decode()[:3000])
    print(client.get(o.get_absolute_url()+"feed.atom").content.decode()[:2000])
