"""Builds fixtures/later_reports.json from the research notes (part*.json) and the
review decisions below. From the repository root:

    python3 research/later-reports/build_fixture.py
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
SEARCHED = "2026-12-07"
ADDED_BY = "Research editor, SIRONET Outcomes Catalogue"
REVIEWED_BY = "Reviewing editor, SIRONET Outcomes Catalogue"
SOURCE = "sironet-cooperation-outcomes"

# The reviewer's decisions on the research's candidates: address -> reason set aside.
SET_ASIDE = {
    "http://www.ksrykj.com/news/c/2018-11-21/10765067.shtml": "the stored page has no title",
    "https://www.zjfa.org/ch103/system/2019/08/09/031836650.shtml": "the stored page has no title",
    "http://xinhuanet.com/world/2019-10/27/c_1125159407.htm": "the stored page has no title",
    "http://mna.net.cn/news/guonei/2020-11-14/361078.html": "the stored page has no title",
    "https://thai.cri.cn/20191206/8f9d3a90-37cf-3970-81bf-5702b26": "the stored page has no title",
    "https://filipino.cri.cn/301/2018/05/12/103s155819.htm": "the stored page has no title",
    "https://www.economicnews.com.cn/2021/07/06/training-program-": (
        "a training course of others; it does not report on the Medical Corridor platform"
    ),
    "https://en.ceaie.edu.cn/article/detail?columnid=15&id=450": (
        "another programme of the organization (a university consortium), not the "
        "exchange programme"
    ),
    "http://365baodao.com/gongyi/zr/2018-07-16/11362.html": (
        "RAMUNION's own rescue team abroad, not the coordination organization or its training"
    ),
    "http://jkxxw.com.cn/nx/szbj/20190677451.html": (
        "a seminar of the organization; it says nothing of the school programme"
    ),
    "https://www.finanznachrichten.de/nachrichten-2023-12/6100724": (
        "volunteering abroad in general; nothing on the one-year service"
    ),
    "http://world.people.com.cn/n1/2019/0920/c1002-31363690.html": (
        "other work of the Red Cross Society of China (a medical team), not the forum"
    ),
    "http://519876.com/portal/article/index/id/27172/cid/360.html": (
        "a copy at an address unrelated to its publisher"
    ),
    "http://en.people.cn/n3/2024/1203/c90000-20249286.html": (
        "the partner association's anniversary; nothing on the agreement with CNIE"
    ),
}
# Readings the reviewer changed: address -> reading.
READING = {"http://www.chinanews.com/gn/2018/05-09/8509664.shtml": "continued"}


def set_aside(url):
    return next((reason for prefix, reason in SET_ASIDE.items() if url.startswith(prefix)), None)


def main():
    items = []
    for part in sorted(HERE.glob("part*.json")):
        items += json.loads(part.read_text())["items"]
    records, searches = [], []
    for item in sorted(items, key=lambda i: (len(i["reference"].split(".")[0]), i["reference"])):
        rejected = [f"{r['url']}: {r['reason']}" for r in item.get("rejected", [])]
        for report in item["reports"]:
            if reason := set_aside(report["url"]):
                rejected.append(f"{report['url']}: {reason}")
                continue
            url = report["url"]
            records.append(
                {
                    "model": "outcomes.laterreport",
                    "fields": {
                        "outcomes": [[SOURCE, reference] for reference in report["outcomes"]],
                        "url": url,
                        "title": report["title"],
                        "publisher": report["publisher"],
                        "published": report["published"],
                        "language": report["language"],
                        "reading": READING.get(url, report["reading"]),
                        "summary": report["summary"],
                        "summary_zh": report["summary_zh"],
                        "added_by_name": ADDED_BY,
                        "reviewed_by_name": REVIEWED_BY,
                        "reviewed": SEARCHED,
                    },
                }
            )
            for position, figure in enumerate(report["figures"], 1):
                money = figure["kind"] == "money"
                records.append(
                    {
                        "model": "outcomes.reportfigure",
                        "fields": {
                            "report": [url],
                            "position": position,
                            "kind": figure["kind"],
                            "value": None if figure.get("value") is None else str(figure["value"]),
                            "qualifier": figure["qualifier"]
                            if figure.get("value") is not None
                            else "",
                            "currency": figure.get("currency", "") if money else "",
                            "unit": "" if money else figure.get("unit", ""),
                            "unit_zh": "" if money else figure.get("unit_zh", ""),
                            "words": figure["words"],
                        },
                    }
                )
        searches.append(
            {
                "model": "outcomes.latersearch",
                "fields": {
                    "outcome": [SOURCE, item["reference"]],
                    "searched": SEARCHED,
                    "queries": "\n".join(item["queries"]),
                    "note": "Set aside:\n" + "\n".join(rejected) if rejected else "",
                    "searched_by_name": ADDED_BY,
                },
            }
        )
    out = Path("fixtures/later_reports.json")
    out.write_text(json.dumps(records + searches, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(records)} records, {len(searches)} searches -> {out}")


if __name__ == "__main__":
    main()
