"""Build the curated package and the labelled pairs of ``tests/data/link/`` (see README.md).

Run from the repository root: ``python tests/data/link/build.py``. It reads the ICEWS
sample of 2018-06-01 (``--sample``, by default ``tests/data/link/icews-2018-06-01-dyads.tab``),
writes ``engagements-2018-06-01/`` (a bilat package) and ``labels.csv``. The labels
come from the rules in :data:`RULES`, written after reading every row of each dyad;
they do not call the linker.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from bilat.models import Engagement, Person, Source, State  # noqa: E402
from bilat.package import write_package  # noqa: E402

SAMPLE = HERE / "icews-2018-06-01-dyads.tab"
SOURCE = Source(
    id="icews-sample-2018",
    type="dataset",
    title="ICEWS event sample 2018 (events.2018.sample.tab), R package icews",
    authors=["Andreas Beger"],
    url="https://github.com/andybega/icews/blob/3746c729551f5fcb5a49f643f82638011a5fcfec/inst/extdata/events.2018.sample.tab",
    citation="Boschee et al., ICEWS Coded Event Data, Harvard Dataverse, doi:10.7910/DVN/28075",
)
STATES = {
    "North Korea": ("prk", "North Korea", "PRK"),
    "United States": ("usa", "United States", "USA"),
    "Russian Federation": ("rus", "Russia", "RUS"),
    "India": ("ind", "India", "IND"),
    "Singapore": ("sgp", "Singapore", "SGP"),
    "Israel": ("isr", "Israel", "ISR"),
    "Germany": ("deu", "Germany", "DEU"),
    "Ukraine": ("ukr", "Ukraine", "UKR"),
    "Japan": ("jpn", "Japan", "JPN"),
    "Vietnam": ("vnm", "Vietnam", "VNM"),
    "Bangladesh": ("bgd", "Bangladesh", "BGD"),
}
#: Persons of these dyads, named as ICEWS names them; each one's nationality is the
#: country the sample's rows give them.
PERSONS = {
    "Donald Trump": ("trump", "United States"),
    "Mike Pompeo": ("pompeo", "United States"),
    "John F. Kelly": ("kelly", "United States"),
    "Bill Clinton": ("clinton", "United States"),
    "Sung Kim": ("sung-kim", "United States"),
    "Kim Yong-chol": ("kim-yong-chol", "North Korea"),
    "Kim Jong-Un": ("kim-jong-un", "North Korea"),
    "Jo Myong-rok": ("jo-myong-rok", "North Korea"),
    "Ri Yong-ho": ("ri-yong-ho", "North Korea"),
    "Sergey Viktorovich Lavrov": ("lavrov", "Russian Federation"),
    "Vladimir Putin": ("putin", "Russian Federation"),
    "Sergey Kuzhugetovich Shoygu": ("shoygu", "Russian Federation"),
    "Dmitry Peskov": ("peskov", "Russian Federation"),
    "Narendra Modi": ("modi", "India"),
    "Lee Hsien Loong": ("lee-hsien-loong", "Singapore"),
    "Avigdor Lieberman": ("lieberman", "Israel"),
    "Benjamin Netanyahu": ("netanyahu", "Israel"),
    "Heiko Maas": ("maas", "Germany"),
    "Pavlo Klimkin": ("klimkin", "Ukraine"),
    "Petro Poroshenko": ("poroshenko", "Ukraine"),
    "Tran Dai Quang": ("tran-dai-quang", "Vietnam"),
    "Keiji Furuya": ("furuya", "Japan"),
}
NOTE = (
    "Built from the ICEWS sample's rows of 2018-06-01 (stories {stories}) for the "
    "linker's labelled set: the date is the one the rows give."
)

Row = dict[str, str]


def _eng(
    rid: str,
    type_: str,
    status: str,
    title: str,
    a: str,
    b: str,
    country: str | None,
    stories: str,
    location: str | None = None,
    dated: bool = True,
) -> Engagement:
    return Engagement(
        id=rid,
        type=type_,
        status=status,
        title=title,
        start="2018-06-01" if dated else None,
        participants=[a, b],
        country=country,
        location=location,
        sources=[SOURCE.id],
        notes=NOTE.format(stories=stories),
    )


ENGAGEMENTS = [
    _eng(
        "prk-usa-white-house",
        "meeting",
        "held",
        "Kim Yong-chol meets Donald Trump",
        "kim-yong-chol",
        "trump",
        "usa",
        "47406672",
    ),
    _eng(
        "prk-usa-new-york",
        "ministerial_talks",
        "held",
        "Kim Yong-chol and Mike Pompeo hold talks in New York",
        "kim-yong-chol",
        "pompeo",
        "usa",
        "reported with Pompeo and Kim Yong-chol in New York City",
        "New York City",
    ),
    _eng(
        "prk-usa-summit-planned",
        "summit",
        "planned",
        "Donald Trump and Kim Jong-Un to meet",
        "trump",
        "kim-jong-un",
        None,
        "with CAMEO 036 between Donald Trump and Kim Jong-Un",
        dated=False,
    ),
    _eng(
        "rus-prk-pyongyang",
        "official_visit",
        "held",
        "Sergey Lavrov in Pyongyang",
        "lavrov",
        "kim-jong-un",
        "prk",
        "47402688",
    ),
    _eng(
        "ind-sgp-visit",
        "official_visit",
        "held",
        "Narendra Modi visits Singapore",
        "modi",
        "lee-hsien-loong",
        "sgp",
        "47401866, 47401910",
    ),
    _eng(
        "isr-rus-moscow",
        "meeting",
        "held",
        "Avigdor Lieberman meets Sergey Shoygu in Moscow",
        "lieberman",
        "shoygu",
        "rus",
        "47403627",
    ),
    _eng(
        "deu-ukr-visit",
        "official_visit",
        "held",
        "Heiko Maas visits Ukraine",
        "maas",
        "klimkin",
        "ukr",
        "47403456",
    ),
    _eng(
        "vnm-jpn-visit",
        "state_visit",
        "held",
        "Tran Dai Quang visits Japan",
        "tran-dai-quang",
        "jpn",
        "jpn",
        "47401850, 47407666",
    ),
    _eng(
        "bgd-vnm-hanoi",
        "meeting",
        "held",
        "Bangladesh's foreign ministry and Vietnam's military consult in Hanoi",
        "bgd",
        "vnm",
        "vnm",
        "47400351",
    ),
    _eng(
        "ind-rus-planned",
        "meeting",
        "planned",
        "India and Russia to meet",
        "ind",
        "rus",
        None,
        "47404209",
        dated=False,
    ),
]


def consult(r: Row) -> bool:
    return r["CAMEO Code"].startswith("04")


def names(r: Row) -> set[str]:
    return {r["Source Name"], r["Target Name"]}


def place(r: Row) -> str:
    return r["City"] if r["City"] != "NA" else "NA"


#: Per engagement: (its two countries as ICEWS writes them, the rule, why).
RULES: dict[str, tuple[frozenset[str], Callable[[Row], bool], str]] = {
    "prk-usa-white-house": (
        frozenset({"North Korea", "United States"}),
        lambda r: (
            consult(r)
            and place(r) not in {"New York City", "Pyongyang", "Singapore City"}
            and not names(r)
            & {
                "Kim Jong-Un",
                "Mike Pompeo",
                "Bill Clinton",
                "Jo Myong-rok",
                "Sung Kim",
                "Workers' Party (United States)",
            }
        ),
        "a consult, visit or negotiation (CAMEO 04) of Trump, Kim Yong-chol, their states "
        "or officials, not placed in New York, Pyongyang or Singapore, without Kim Jong-Un, "
        "Pompeo, Sung Kim or the 2000 Clinton-Jo meeting",
    ),
    "prk-usa-new-york": (
        frozenset({"North Korea", "United States"}),
        lambda r: (
            consult(r)
            and place(r) == "New York City"
            and not names(r)
            & {
                "Kim Jong-Un",
                "Donald Trump",
                "Bill Clinton",
                "Jo Myong-rok",
                "Workers' Party (United States)",
            }
        ),
        "CAMEO 04 placed in New York City, without Trump, Kim Jong-Un or Clinton-Jo",
    ),
    "prk-usa-summit-planned": (
        frozenset({"North Korea", "United States"}),
        lambda r: (
            r["CAMEO Code"] == "036" or (consult(r) and names(r) == {"Donald Trump", "Kim Jong-Un"})
        ),
        "an intent to meet (036) between the two, or a consult coded between Trump and "
        "Kim Jong-Un, who had not met: the summit being planned",
    ),
    "rus-prk-pyongyang": (
        frozenset({"North Korea", "Russian Federation"}),
        lambda r: (
            consult(r)
            and "Vladimir Putin" not in names(r)
            and place(r) not in {"New York City", "Seoul", "Beijing"}
        ),
        "CAMEO 04 without Putin (who did not meet Kim) and not placed in New York, Seoul "
        "or Beijing",
    ),
    "ind-sgp-visit": (
        frozenset({"India", "Singapore"}),
        consult,
        "CAMEO 04 (the agreement signed, 057, and the intent, 036, are not reports of the visit)",
    ),
    "isr-rus-moscow": (
        frozenset({"Israel", "Russian Federation"}),
        lambda r: consult(r) and "Benjamin Netanyahu" not in names(r),
        "CAMEO 04 without Netanyahu (his visit is another engagement)",
    ),
    "deu-ukr-visit": (
        frozenset({"Germany", "Ukraine"}),
        lambda r: consult(r) and r["Country"] == "Ukraine",
        "CAMEO 04 placed in Ukraine",
    ),
    "vnm-jpn-visit": (frozenset({"Japan", "Vietnam"}), consult, "CAMEO 04"),
    "bgd-vnm-hanoi": (frozenset({"Bangladesh", "Vietnam"}), consult, "CAMEO 04"),
    "ind-rus-planned": (
        frozenset({"India", "Russian Federation"}),
        lambda r: r["CAMEO Code"] == "036",
        "an intent to meet (036)",
    ),
}


def dyad(r: Row) -> frozenset[str]:
    return frozenset({r["Source Country"], r["Target Country"]})


def main(sample: Path = SAMPLE) -> None:
    with sample.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    states = [State(id=i, name=n, iso3=c, sources=[SOURCE.id]) for i, n, c in STATES.values()]
    persons = [
        Person(id=i, name=n, nationality=STATES[c][0], sources=[SOURCE.id])
        for n, (i, c) in PERSONS.items()
    ]
    write_package(
        HERE / "engagements-2018-06-01",
        [SOURCE, *states, *persons, *ENGAGEMENTS],
        name="engagements-2018-06-01",
        title="Engagements the ICEWS sample of 2018-06-01 reports (test fixture)",
        version="0.1.0",
    )
    out = []
    for record, (countries, rule, why) in RULES.items():
        for r in rows:
            if dyad(r) == countries:
                label = rule(r)
                out.append(
                    {
                        "event": f"icews-{r['Event ID']}-{r['Event Date']}",
                        "record": record,
                        "label": "yes" if label else "no",
                        "cameo": r["CAMEO Code"],
                        "source_name": r["Source Name"],
                        "target_name": r["Target Name"],
                        "city": r["City"],
                        "rule": why if label else "not: " + why,
                    }
                )
    with (HERE / "labels.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(out[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    print(f"{len(out)} pairs, {sum(o['label'] == 'yes' for o in out)} yes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE)
