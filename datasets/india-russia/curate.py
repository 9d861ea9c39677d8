"""Curation script for the india-russia data package.

    python datasets/india-russia/curate.py

Every record is written here, with the sources it rests on; the script writes the
package files (deterministically, so curation diffs stay small), copies the seed
document into the package, and regenerates the coverage table of the README.
Facts that no source gives are left out, and dates keep only the precision the
sources give.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

from bilat import (
    Agreement,
    Engagement,
    Evidence,
    Indicator,
    Organization,
    Person,
    Position,
    Source,
    State,
    Statement,
    Tenure,
)
from bilat.models import RECORD_TYPES, Record, SourcedRecord
from bilat.package import write_package

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SEED = "000_15fc7afe774a04a9.txt"
SERIES = "India–Russia Annual Summit"
VERSION = "1.0.0"


def _seed_sha() -> str:
    return hashlib.sha256((REPO / "seeds" / SEED).read_bytes()).hexdigest()


def sources() -> list[Source]:
    def news(id: str, title: str, publisher: str, url: str, published: str, **kw: object) -> Source:
        return Source(
            id=id,
            type="news_article",
            title=title,
            publisher=publisher,
            url=url,
            published=published,
            accessed="2026-11-24",
            language="en",
            **kw,
        )  # type: ignore[arg-type]

    return [
        Source(
            id="src-seed",
            type="web_page",
            title="Putin Meets S Jaishankar, Invites PM To Russia, Seeks Ukraine Solution",
            publisher="tarunias.com (blog)",
            url="https://tarunias.com/blog/putin-meets-s-jaishankar-invites-pm-to-russia-seeks-ukraine-solution/",
            seed=f"seeds/{SEED}",
            seed_sha256=_seed_sha(),
            accessed="2026-11-24",
            language="en",  # type: ignore[arg-type]
            notes="The seed document; its publication date is not shown. Metadata: seeds/000_15fc7afe774a04a9.json.",
        ),
        news(
            "src-hbl-2023-12-30",
            "India-Russia strategic partnership fortified: Jaishankar's Moscow visit drives bilateral ties",
            "The Hindu BusinessLine",
            "https://www.thehindubusinessline.com/news/india-russia-strategic-partnership-fortified-jaishankars-moscow-visit-drives-bilateral-ties/article67690205.ece",
            "2023-12-30",
            notes="Title taken from the page address.",
        ),
        news(
            "src-ndt-2023-12-30",
            "S. Jaishankar concludes visit to Russia",
            "New Delhi Times",
            "https://www.newdelhitimes.com/s-jaishankar-concludes-visit-to-russia/",
            "2023-12-30",
            notes="Title taken from the page address; the text follows the Ministry of External Affairs' statement on the visit.",
        ),
        news(
            "src-menafn-2023-12-28",
            "Putin send invitation to 'friend' Modi to visit Moscow",
            "MENAFN",
            "https://menafn.com/1107665061/Putin-send-invitation-to-friend-Modi-to-visit-Moscow",
            "2023-12-28",
            notes="Title taken from the page address.",
        ),
        news(
            "src-rediff-2023-12-28",
            "President Putin invites Modi to visit Russia",
            "Rediff.com (PTI)",
            "https://news.rediff.com/commentary/2023/dec/28/president-putin-invites-modi-to-visit-russia/c2330071e3e8a769d681f1e7d7ebe49a",
            "2023-12-28",
            notes="Title taken from the page address.",
        ),
        news(
            "src-bt-2023-12-28",
            "Will be glad to see our friend: Vladimir Putin invites PM Modi to visit Russia next year",
            "Business Today",
            "https://www.businesstoday.in/latest/in-focus/story/will-be-glad-to-see-our-friend-vladimir-putin-invites-pm-modi-to-visit-russia-next-year-411032-2023-12-28",
            "2023-12-28",
            notes="Title taken from the page address.",
        ),
        news(
            "src-statesman-2023-12-24",
            "Jaishankar leaving for Russia on Monday for talks on key issues",
            "The Statesman",
            "https://www.thestatesman.com/india/jaishankar-leaving-for-russia-on-monday-for-talks-on-key-issues-1503252874.html",
            "2023-12-24",
            notes="Title taken from the page address.",
        ),
        news(
            "src-bihar-2012-12",
            "Russian President Vladimir Putin to visit India on December 24",
            "Biharprabha News",
            "https://news.biharprabha.com/2012/12/russian-president-vladimir-putin-to-visit-india-on-december-24",
            "2012-12",
            notes="Title taken from the page address; it quotes an external affairs ministry statement.",
        ),
        news(
            "src-rediff-2007-11-07",
            "PM to visit Moscow for annual summit",
            "Rediff.com",
            "https://m.rediff.com/amp/news/2007/nov/07pmtrip.htm",
            "2007-11-07",
            notes="Title is a description; the stored copy shows none.",
        ),
        news(
            "src-rediff-2008-12-02",
            "Russian President to visit India",
            "Rediff.com (PTI)",
            "http://world.rediff.com/news/2008/dec/02-russian-president-to-visit-india.htm?zcc=rl",
            "2008-12-02",
            notes="Title taken from the page address.",
        ),
        news(
            "src-dailystar-2011-12",
            "India-Russia Summit",
            "The Daily Star",
            "https://online91.thedailystar.net/news-detail-216324",
            "2011-12",
        ),
        news(
            "src-bs-2021-11-26",
            "Russian President to visit India on Dec 6 for annual summit with PM Modi",
            "Business Standard (PTI)",
            "https://www.business-standard.com/article/current-affairs/russian-president-to-visit-india-on-dec-6-for-annual-summit-with-pm-modi-121112601093_1.html",
            "2021-11-26",
            notes="Title taken from the page address.",
        ),
        news(
            "src-zee-2024-07-04",
            "PM Modi to visit Russia, Austria from July 8 to 10: know full schedule",
            "Zee News",
            "https://zeenews.india.com/india/pm-modi-to-visit-russia-austria-from-july-8-to-10-know-full-schedule-2763510.html",
            "2024-07-04",
            notes="Title taken from the page address.",
        ),
        news(
            "src-bs-2024-07-08",
            "PM Modi arrives in Russia to hold annual summit talks with President Putin",
            "Business Standard (PTI)",
            "https://www.business-standard.com/world-news/pm-modi-arrives-in-russia-to-hold-annual-summit-talks-with-president-putin-124070800737_1.html",
            "2024-07-08",
        ),
        news(
            "src-ndtv-2025-11-28",
            "Russian President Vladimir Putin will visit India on December 4-5, says Kremlin",
            "NDTV",
            "https://www.ndtv.com/world-news/russian-president-vladimir-putin-will-visit-india-on-december-4-5-says-kremlin-9714490",
            "2025-11-28",
            notes="Title taken from the page address.",
        ),
        news(
            "src-outlook-2025-12-05",
            "PM Modi welcomes Putin; India-Russia annual summit",
            "Outlook Business",
            "https://www.outlookbusiness.com/economy-and-policy/pm-modi-welcomes-putin-india-russia-annual-summit-scheduled-on-dec-6",
            "2025-12-05",
            notes="Title taken from the page address.",
        ),
        news(
            "src-idn-2025-12-05",
            "India-Russia summit: PM Modi hosts Putin",
            "Indian Defence News",
            "https://www.indiandefensenews.in/2025/12/india-russia-summit-pm-modi-hosts.html",
            "2025-12-05",
            notes="Title taken from the page address.",
        ),
        news(
            "src-indiatoday-2018-09-11",
            "President Putin in New Delhi for summit on October 5",
            "India Today",
            "https://www.indiatoday.in/india/story/president-putin-in-new-delhi-for-summit-on-october-5-1337384-2018-09-11",
            "2018-09-11",
            notes="Title taken from the page address.",
        ),
        news(
            "src-nie-2018-10-06",
            "PM Modi, Russian President Putin pledge to boost ties",
            "The New Indian Express",
            "http://www.newindianexpress.com/nation/2018/oct/06/pm-modi-russian-president-putin-pledge-to-boost-ties-1881795.html",
            "2018-10-06",
            notes="Title taken from the page address.",
        ),
        news(
            "src-ntv-2018-10",
            "Putin meets Modi in New Delhi for annual summit talks",
            "NTV Houston",
            "https://www.ntvhouston.com/2018/10/putin-meets-modi-in-new-delhi-for-annual-summit-talks/",
            "2018-10",
        ),
        news(
            "src-toi-2018-09-28",
            "Vladimir Putin on 2-day India visit from October 4",
            "The Times of India (PTI)",
            "https://timesofindia.indiatimes.com/india/vladimir-putin-on-2-day-india-visit-from-october-4/amp_articleshow/65997479.cms",
            "2018-09-28",
        ),
        news(
            "src-bs-2017-06-02",
            "PM Modi recalls his 16-year-ago Russia visit as CM",
            "Business Standard (ANI)",
            "https://www.business-standard.com/amp/article/news-ani/pm-modi-recalls-his-16-year-ago-russia-visit-as-cm-117060200108_1.html",
            "2017-06-02",
            notes="Title taken from the page address.",
        ),
        news(
            "src-thehindu-2016-10-15",
            "India, Russia sign 16 agreements on sidelines of BRICS summit",
            "The Hindu",
            "http://www.thehindu.com/news/national/india-russia-sign-16-agreements-on-sidelines-of-brics-summit/article9224304.ece",
            "2016-10-15",
            notes="Title taken from the page address.",
        ),
        news(
            "src-wion-2016-10-15",
            "BRICS Summit 2016: India, Russia bolster defence ties, ink 16 agreements",
            "WION",
            "http://www.wionews.com/south-asia/brics-summit-2016-india-russia-bolster-defence-ties-ink-16-agreements-7491",
            "2016-10-15",
        ),
        news(
            "src-siasat-2015-12",
            "Modi visit to Russia: trade high on agenda",
            "Siasat Daily (archive)",
            "https://archive.siasat.com/news/modi-visit-russia-trade-high-agenda-890177",
            "2015-12",
            notes="Title taken from the page address; it reports a briefing by the Foreign Secretary on the 16th summit.",
        ),
        news(
            "src-indiacom-2015-12",
            "Prime Minister Narendra Modi attended 16th India-Russia Annual Summit held in Russia",
            "India.com",
            "https://www.india.com/education/prime-minister-narendra-modi-attended-16th-india-russia-annual-summit-held-in-russia-1573325/",
            "2015-12",
            notes="Title taken from the page address.",
        ),
        news(
            "src-awaaz-2022-03-25",
            "India abstains on UNGA resolution on humanitarian consequences of Ukraine war",
            "The Indian Awaaz",
            "https://theindianawaaz.com/india-abstains-on-unga-resolution-on-humanitarian-consequences-of-ukraine-war/",
            "2022-03-25",
            notes="Title taken from the page address (query parameters left out).",
        ),
        news(
            "src-moneycontrol-2022-11-15",
            "India abstains on UNGA resolution calling for Russia to pay reparations to Ukraine",
            "Moneycontrol (PTI)",
            "https://www.moneycontrol.com/news/india/india-abstains-on-unga-resolution-calling-for-russia-to-pay-reparations-to-ukraine-9525051.html/amp",
            "2022-11-15",
        ),
        news(
            "src-w2r-2013-10-20",
            "Indian Premier Arrives in Moscow For Summit",
            "Windows to Russia (RIA Novosti)",
            "https://news.windowstorussia.com/indian-premier-arrives-in-moscow-for-summit.html",
            "2013-10-20",
        ),
        news(
            "src-russialist-2013-10-21",
            "Putin, Singh to discuss bilateral relations, Middle East, in Moscow",
            "Russia List (Interfax)",
            "https://russialist.org/putin-singh-to-discuss-bilateral-relations-middle-east-in-moscow/",
            "2013-10-21",
        ),
        news(
            "src-deccan-2022-02-28",
            "India abstains on resolution to call for UN General Assembly session on Ukraine",
            "Deccan Herald (PTI)",
            "https://www.deccanherald.com/national/india-abstains-on-resolution-to-call-for-un-general-assembly-session-on-ukraine-1085828.html",
            "2022-02-28",
        ),
        news(
            "src-bs-2022-03-03",
            "India abstains on UN resolution deploring Russia's aggression in Ukraine",
            "Business Standard (PTI)",
            "https://www.business-standard.com/article/current-affairs/india-abstains-on-un-resolution-deploring-russia-s-aggression-in-ukraine-122030201496_1.html",
            "2022-03-03",
            notes="Title taken from the page address.",
        ),
        news(
            "src-quint-2022-04-07",
            "UNGA suspends Russia from Human Rights Council, India abstains from voting",
            "The Quint",
            "https://www.thequint.com/amp/story/news/world/unga-suspends-russia-from-human-rights-council-india-abstains-from-voting",
            "2022-04-07",
            notes="Title taken from the page address.",
        ),
        news(
            "src-zee-2022-04-07",
            "UN General Assembly suspends Russia from Human Rights Council",
            "Zee News",
            "https://zeenews.india.com/world/ukraine-war-un-general-assembly-suspends-russia-from-human-rights-council-2451630.html",
            "2022-04-07",
            notes="Title taken from the page address.",
        ),
        news(
            "src-ndtv-2022-10-13",
            "India Abstains From UN Vote Condemning Russia's 'Annexation' Of Ukraine",
            "NDTV",
            "https://ndtv.com/india-news/india-abstains-from-un-vote-condemning-russias-annexation-of-ukraine-3426797",
            "2022-10-13",
        ),
        news(
            "src-bt-2023-02-24",
            "India abstains from UN General Assembly vote underscoring need for lasting peace in Ukraine",
            "Business Today",
            "https://www.businesstoday.in/latest/world/story/india-abstains-from-un-general-assembly-vote-underscoring-need-for-lasting-peace-in-ukraine-371303-2023-02-24",
            "2023-02-24",
            notes="Title taken from the page address.",
        ),
        news(
            "src-bt-2025-02-25",
            "India, China abstain; US, Russia vote against UN resolution on Ukraine war",
            "Business Today",
            "https://www.businesstoday.in/world/story/india-china-abstain-us-russia-vote-against-un-resolution-on-ukraine-war-465815-2025-02-25",
            "2025-02-25",
            notes="Title taken from the page address.",
        ),
        news(
            "src-devdiscourse-2025-02-24",
            "India Abstains as UN Pushes for Peace in Ukraine",
            "Devdiscourse",
            "https://www.devdiscourse.com/article/politics/3276187-india-abstains-as-un-pushes-for-peace-in-ukraine",
            "2025-02-24",
        ),
    ]


SEED_SRC = ["src-seed"]


def actors() -> list[Record]:
    return [
        State(id="ind", name="India", iso3="IND", wikidata="Q668", sources=SEED_SRC),
        State(id="rus", name="Russia", iso3="RUS", wikidata="Q159", sources=SEED_SRC),
        State(id="ukr", name="Ukraine", iso3="UKR", wikidata="Q212", sources=SEED_SRC),
        Person(
            id="putin", name="Vladimir Putin", nationality="rus", wikidata="Q7747", sources=SEED_SRC
        ),
        Person(
            id="modi", name="Narendra Modi", nationality="ind", wikidata="Q1058", sources=SEED_SRC
        ),
        Person(
            id="jaishankar",
            name="S. Jaishankar",
            aliases=["Subrahmanyam Jaishankar"],
            nationality="ind",
            sources=["src-seed", "src-menafn-2023-12-28"],
        ),
        Person(id="lavrov", name="Sergey Lavrov", nationality="rus", sources=SEED_SRC),
        Person(id="manturov", name="Denis Manturov", nationality="rus", sources=SEED_SRC),
        Person(
            id="vajpayee",
            name="Atal Bihari Vajpayee",
            nationality="ind",
            sources=["src-indiatoday-2018-09-11"],
        ),
        Person(
            id="manmohan-singh",
            name="Manmohan Singh",
            nationality="ind",
            sources=["src-rediff-2007-11-07", "src-dailystar-2011-12"],
        ),
        Person(
            id="medvedev",
            name="Dmitry Medvedev",
            nationality="rus",
            sources=["src-rediff-2008-12-02", "src-dailystar-2011-12"],
        ),
        Organization(
            id="western-countries",
            name="Western countries",
            type="group_of_states",
            sources=SEED_SRC,
            notes="The seed speaks of 'many Western countries' without naming them; members are left out.",
        ),
    ]


def tenures() -> list[Tenure]:
    no_dates = "The sources used give no start or end date; the tenure is attested at the time of the events recorded."
    return [
        Tenure(
            id="t-putin-president",
            person="putin",
            office="President of Russia",
            role="head_of_state",
            of="rus",
            sources=SEED_SRC,
            notes=no_dates,
        ),
        Tenure(
            id="t-modi-pm",
            person="modi",
            office="Prime Minister of India",
            role="head_of_government",
            of="ind",
            sources=SEED_SRC,
            notes=no_dates,
        ),
        Tenure(
            id="t-jaishankar-eam",
            person="jaishankar",
            office="Minister of External Affairs",
            role="foreign_minister",
            of="ind",
            sources=["src-seed", "src-ndt-2023-12-30"],
            notes=no_dates
            + " The seed calls him Foreign Minister; the Indian title is Minister of External Affairs.",
        ),
        Tenure(
            id="t-lavrov-fm",
            person="lavrov",
            office="Minister of Foreign Affairs of Russia",
            role="foreign_minister",
            of="rus",
            sources=["src-seed", "src-ndt-2023-12-30"],
            notes=no_dates,
        ),
        Tenure(
            id="t-manturov-dpm",
            person="manturov",
            office="Deputy Prime Minister of Russia",
            role="deputy_head_of_government",
            of="rus",
            sources=["src-seed", "src-ndt-2023-12-30"],
            notes=no_dates,
        ),
        Tenure(
            id="t-manturov-trade",
            person="manturov",
            office="Minister of Industry and Trade of Russia",
            role="minister",
            of="rus",
            sources=["src-ndt-2023-12-30"],
            notes=no_dates,
        ),
    ]


def engagements() -> list[Engagement]:
    visit = "visit-jaishankar-2023-12"
    return [
        Engagement(
            id=visit,
            type="official_visit",
            status="held",
            title="S. Jaishankar's official visit to Russia",
            start="2023-12-25",
            end="2023-12-29",
            participants=["jaishankar", "ind", "rus"],
            host="rus",
            country="rus",  # type: ignore[arg-type]
            location="Moscow and Saint Petersburg",
            capacities=["t-jaishankar-eam"],
            topics=["bilateral_relations", "trade", "energy", "defence", "conflict"],
            sources=["src-seed", "src-hbl-2023-12-30", "src-ndt-2023-12-30"],
            notes="The seed says 'five-day visit'; the dates 25-29 December 2023 are from the Ministry of External Affairs' statement as reported.",
        ),
        Engagement(
            id="meeting-putin-jaishankar-2023-12-27",
            type="meeting",
            status="held",
            title="Putin receives Jaishankar at the Kremlin",
            start="2023-12-27",
            participants=["putin", "jaishankar"],
            part_of=visit,
            location="Kremlin, Moscow",
            country="rus",  # type: ignore[arg-type]
            capacities=["t-putin-president", "t-jaishankar-eam"],
            topics=["conflict", "peace_process", "trade", "bilateral_relations"],
            sources=["src-seed", "src-hbl-2023-12-30", "src-menafn-2023-12-28"],
            notes="The seed says 'on Wednesday'. A report dated 28 December 2023 places the meeting on 'Wednesday evening', and the only Wednesday of the 25-29 December visit is 27 December 2023.",
        ),
        Engagement(
            id="talks-lavrov-jaishankar-2023-12-27",
            type="ministerial_talks",
            status="held",
            title="Jaishankar–Lavrov talks",
            start="2023-12-27",
            participants=["jaishankar", "lavrov"],
            part_of=visit,
            country="rus",  # type: ignore[arg-type]
            capacities=["t-jaishankar-eam", "t-lavrov-fm"],
            topics=["bilateral_relations", "conflict", "multilateral"],
            sources=["src-seed", "src-bt-2023-12-28"],
            notes="Dated by Jaishankar's post about the meeting, dated 27 December 2023, as quoted by Business Today.",
        ),
        Engagement(
            id="press-jaishankar-lavrov-2023-12-27",
            type="joint_press_appearance",
            status="held",
            title="Joint media appearance of Jaishankar and Lavrov",
            start="2023-12-27",
            participants=["jaishankar", "lavrov"],
            part_of=visit,
            country="rus",  # type: ignore[arg-type]
            capacities=["t-jaishankar-eam", "t-lavrov-fm"],
            sources=["src-seed", "src-rediff-2023-12-28"],
            notes="Held after the talks with Lavrov ('During a joint media appearance along with Lavrov after their talks'), so dated with them.",
        ),
        Engagement(
            id="meeting-manturov-jaishankar-2023-12",
            type="meeting",
            status="held",
            title="Jaishankar meets Deputy Prime Minister Manturov",
            start="2023-12",
            participants=["jaishankar", "manturov"],
            part_of=visit,
            country="rus",  # type: ignore[arg-type]
            capacities=["t-jaishankar-eam", "t-manturov-dpm"],
            topics=["economic_cooperation", "trade", "nuclear_energy"],
            sources=["src-seed", "src-ndt-2023-12-30"],
            notes="Held during the 25-29 December 2023 visit; the sources used do not give the day.",
        ),
        Engagement(
            id="invitation-modi-2023-12-27",
            type="invitation",
            status="held",
            title="Putin invites Modi to visit Russia in 2024",
            start="2023-12-27",
            participants=["putin", "jaishankar"],
            part_of="meeting-putin-jaishankar-2023-12-27",
            country="rus",  # type: ignore[arg-type]
            capacities=["t-putin-president"],
            sources=["src-seed", "src-rediff-2023-12-28"],
            notes="Extended through Jaishankar to Prime Minister Narendra Modi, who was not present.",
        ),
        Engagement(
            id="visit-modi-2024-07",
            type="official_visit",
            status="held",
            title="Narendra Modi's visit to Russia",
            start="2024-07-08",
            end="2024-07-09",
            participants=["modi", "ind", "rus"],
            host="rus",
            country="rus",  # type: ignore[arg-type]
            location="Moscow",
            capacities=["t-modi-pm"],
            sources=["src-seed", "src-zee-2024-07-04", "src-bs-2024-07-08"],
            notes="The visit the seed reports Putin inviting 'in the upcoming year'; dates from the Ministry of External Affairs as reported.",
        ),
        Engagement(
            id="visit-putin-2025-12",
            type="state_visit",
            status="held",
            title="Vladimir Putin's state visit to India",
            start="2025-12-04",
            end="2025-12-05",
            participants=["putin", "ind", "rus"],
            host="ind",
            country="ind",  # type: ignore[arg-type]
            location="New Delhi",
            capacities=["t-putin-president"],
            sources=["src-ndtv-2025-11-28", "src-idn-2025-12-05"],
        ),
        *summits(),
    ]


def summits() -> list[Engagement]:
    def summit(
        id: str,
        title: str,
        start: str | None,
        number: int | None,
        participants: list[str],
        sources: list[str],
        host: str | None = None,
        location: str | None = None,
        part_of: str | None = None,
        notes: str | None = None,
    ) -> Engagement:
        return Engagement(
            id=id,
            type="summit",
            status="held",
            title=title,
            start=start,
            participants=participants,  # type: ignore[arg-type]
            host=host,
            country=host,
            location=location,
            part_of=part_of,
            series=SERIES,
            series_number=number,
            topics=["bilateral_relations", "strategic_partnership"],
            sources=sources,
            notes=notes,
        )

    bihar = ["src-bihar-2012-12"]
    return [
        summit(
            "summit-2000",
            "1st India–Russia annual summit",
            "2000-10",
            1,
            ["putin", "vajpayee"],
            [*bihar, "src-indiatoday-2018-09-11"],
            host="ind",
            location="New Delhi",
            notes="'the inaugural summit in New Delhi in October 2000 with Prime Minister Vajpayee'; the day is not in the sources used.",
        ),
        summit(
            "summit-2002",
            "India–Russia annual summit, 2002",
            "2002",
            None,
            ["putin", "ind", "rus"],
            bihar,
            host="ind",
            notes="Number in the series not given by the sources used.",
        ),
        summit(
            "summit-2004",
            "India–Russia annual summit, 2004",
            "2004",
            None,
            ["putin", "ind", "rus"],
            bihar,
            host="ind",
            notes="Number in the series not given by the sources used.",
        ),
        summit(
            "summit-2007-01",
            "India–Russia annual summit, January 2007",
            "2007-01",
            None,
            ["putin", "ind", "rus"],
            [*bihar, "src-rediff-2007-11-07"],
            host="ind",
            notes="Putin 'came for summit meetings in ... 2007' and 'had visited India last January, when he was the chief guest at the Republic Day celebrations'.",
        ),
        summit(
            "summit-8",
            "8th India–Russia annual summit",
            "2007-11",
            8,
            ["manmohan-singh", "putin"],
            ["src-rediff-2007-11-07"],
            host="rus",
            location="Moscow",
            notes="Manmohan Singh arrived in Moscow on 11 November 2007 for a two-day visit; the day of the summit talks is not given.",
        ),
        summit(
            "summit-2008",
            "India–Russia annual summit, December 2008",
            "2008-12",
            None,
            ["medvedev", "ind", "rus"],
            ["src-rediff-2008-12-02"],
            host="ind",
            location="New Delhi",
            notes="Medvedev's visit for the summit was announced for 4-6 December 2008; the number in the series is not given.",
        ),
        summit(
            "summit-12",
            "12th India–Russia annual summit",
            "2011-12",
            12,
            ["manmohan-singh", "medvedev"],
            ["src-dailystar-2011-12", *bihar],
            host="rus",
            location="Moscow",
            notes="Manmohan Singh arrived in Moscow on 15 December 2011 for a three-day visit.",
        ),
        summit(
            "summit-13",
            "13th India–Russia annual summit",
            "2012-12-24",
            13,
            ["putin", "manmohan-singh"],
            bihar,
            host="ind",
            location="New Delhi",
        ),
        summit(
            "summit-14",
            "14th India–Russia annual summit",
            "2013-10-21",
            14,
            ["manmohan-singh", "putin"],
            ["src-w2r-2013-10-20", "src-russialist-2013-10-21"],
            host="rus",
            location="Kremlin, Moscow",
            notes="Talks on Monday 21 October 2013, the first working day of Manmohan Singh's visit.",
        ),
        summit(
            "summit-15",
            "15th India–Russia annual summit",
            "2014-12",
            15,
            ["putin", "modi"],
            ["src-siasat-2015-12"],
            host="ind",
            location="New Delhi",
            notes="'the last summit held in New Delhi in December 2014', said before the 16th summit, so this was the 15th.",
        ),
        summit(
            "summit-16",
            "16th India–Russia annual summit",
            "2015-12-24",
            16,
            ["modi", "putin"],
            ["src-siasat-2015-12", "src-indiacom-2015-12"],
            host="rus",
            location="Moscow",
        ),
        summit(
            "summit-17",
            "17th India–Russia annual summit",
            "2016-10-15",
            17,
            ["putin", "modi"],
            ["src-wion-2016-10-15", "src-thehindu-2016-10-15"],
            host="ind",
            location="Taj Exotica Hotel, Goa",
            notes="Held on the margins of the BRICS summit in Goa.",
        ),
        summit(
            "summit-18",
            "18th India–Russia annual summit",
            "2017-06-01",
            18,
            ["modi", "putin"],
            ["src-bs-2017-06-02", "src-toi-2018-09-28"],
            host="rus",
            location="Saint Petersburg",
        ),
        summit(
            "summit-19",
            "19th India–Russia annual summit",
            "2018-10-05",
            19,
            ["putin", "modi"],
            ["src-nie-2018-10-06", "src-ntv-2018-10", "src-toi-2018-09-28"],
            host="ind",
            location="Hyderabad House, New Delhi",
        ),
        summit(
            "summit-20",
            "20th India–Russia annual summit",
            "2019-09",
            20,
            ["modi", "ind", "rus"],
            ["src-bs-2021-11-26"],
            host="rus",
            location="Vladivostok",
            notes="'The last India-Russia annual summit was held in September 2019 during the visit of Modi to Vladivostok'; none was held in 2020 and the next was the 21st, so this was the 20th.",
        ),
        summit(
            "summit-21",
            "21st India–Russia annual summit",
            "2021-12-06",
            21,
            ["putin", "modi"],
            ["src-seed", "src-zee-2024-07-04", "src-bs-2021-11-26"],
            host="ind",
            location="New Delhi",
        ),
        summit(
            "summit-22",
            "22nd India–Russia annual summit",
            "2024-07-09",
            22,
            ["modi", "putin"],
            ["src-seed", "src-zee-2024-07-04", "src-bs-2024-07-08"],
            host="rus",
            location="Moscow",
            part_of="visit-modi-2024-07",
            notes="Expected 'in the coming year' at the end of 2023 (seed); held on Tuesday 9 July 2024 ('During the 22nd India-Russia annual summit on Tuesday', report of Monday 8 July 2024).",
        ),
        summit(
            "summit-23",
            "23rd India–Russia annual summit",
            "2025-12-05",
            23,
            ["putin", "modi"],
            ["src-ndtv-2025-11-28", "src-outlook-2025-12-05", "src-idn-2025-12-05"],
            host="ind",
            location="Hyderabad House, New Delhi",
            part_of="visit-putin-2025-12",
            notes="Summit talks on Friday 5 December 2025 at Hyderabad House, during the 4-5 December state visit.",
        ),
    ]


def agreements() -> list[Agreement]:
    return [
        Agreement(
            id="kudankulam-2023-12",
            type="agreement",
            title="Documents on future power-generating units of the Kudankulam Nuclear Power Plant",
            parties=["ind", "rus"],
            signed="2023-12",
            signed_at="Moscow",
            engagement="meeting-manturov-jaishankar-2023-12",  # type: ignore[arg-type]
            count=3,
            topics=["nuclear_energy"],
            sources=["src-seed", "src-hbl-2023-12-30", "src-ndt-2023-12-30"],
            notes="The Ministry of External Affairs' statement, as reported, counts 'Three documents relating to the Kudan Kulam Nuclear Power Plants'; the seed speaks of 'significant agreements'. Signatories and the day of signing are not in the sources used; Moscow is where the Manturov meeting took place.",
        ),
    ]


def positions() -> list[Position]:
    return [
        Position(
            id="ind-no-condemnation",
            holder="ind",
            stance="refrains_from_condemning",
            issue="Russia's invasion of Ukraine",
            target="rus",
            since="2022-02",
            basis="reported",
            topics=["conflict"],  # type: ignore[arg-type]
            sources=["src-seed", "src-deccan-2022-02-28", "src-bs-2022-03-03"],
            notes="India's abstentions in the UN General Assembly votes on Ukraine are recorded as evidence (see ind-abstains-unga-ukraine). Since: first attested by the abstention in the Security Council vote of 27 February 2022.",
        ),
        Position(
            id="ind-abstains-unga-ukraine",
            holder="ind",
            stance="abstains",
            issue="UN General Assembly resolutions on Russia's war against Ukraine",
            target="rus",
            since="2022-03-02",
            basis="voting_record",
            topics=["conflict", "multilateral"],  # type: ignore[arg-type]
            sources=[
                "src-bs-2022-03-03",
                "src-awaaz-2022-03-25",
                "src-quint-2022-04-07",
                "src-moneycontrol-2022-11-15",
                "src-ndtv-2022-10-13",
                "src-bt-2023-02-24",
                "src-bt-2025-02-25",
                "src-devdiscourse-2025-02-24",
            ],
            notes="Votes sourced: 2 March, 24 March, 7 April, 12 October and 14 November 2022, 23 February 2023, and two on 24 February 2025.",
        ),
        Position(
            id="ind-calls-for-dialogue",
            holder="ind",
            stance="calls_for_dialogue",
            issue="Russia's war against Ukraine",
            basis="reported",
            topics=["conflict", "peace_process"],
            sources=["src-seed", "src-zee-2022-04-07"],
        ),
        Position(
            id="rus-offers-information",
            holder="rus",
            stance="offers_cooperation",
            issue="Sharing information with India on potential peaceful resolutions of the Ukraine crisis",
            target="ind",
            since="2023-12-27",
            basis="declared",
            expressed_by=["st-putin-counsel-2023-12-27"],
            topics=["peace_process"],  # type: ignore[arg-type]
            sources=["src-seed"],
        ),
        Position(
            id="west-concern-crude",
            holder="western-countries",
            stance="expresses_concern",
            issue="India's imports of Russian crude oil",
            target="ind",
            basis="reported",
            expressed_by=["ind-rus-crude-imports"],
            topics=["energy", "sanctions"],
            sources=["src-seed"],
        ),
    ]


def statements() -> list[Statement]:
    kremlin = "meeting-putin-jaishankar-2023-12-27"
    return [
        Statement(
            id="st-putin-host-modi-2023-12-27",
            speaker="putin",
            text="We will be pleased to host our friend, Prime Minister Modi, in Russia.",
            mode="direct",
            language="en",
            date="2023-12-27",
            engagement=kremlin,
            addressees=["jaishankar"],
            capacity="t-putin-president",  # type: ignore[arg-type]
            sources=["src-seed", "src-rediff-2023-12-28"],
            notes="An English rendering; PTI gives 'We will be glad to see our friend, Mr. Prime Minister Modi in Russia'.",
        ),
        Statement(
            id="st-putin-counsel-2023-12-27",
            speaker="putin",
            text="I have counseled him (PM Modi) multiple times on the situation in Ukraine, and I am aware of his willingness to make every effort for a peaceful resolution. Hence, we will delve deeper into that now and provide additional information to you",
            mode="direct",
            language="en",
            date="2023-12-27",
            engagement=kremlin,
            addressees=["jaishankar"],
            capacity="t-putin-president",  # type: ignore[arg-type]
            topics=["conflict", "peace_process"],
            sources=["src-seed"],
        ),
        Statement(
            id="st-putin-trade-2023-12-27",
            speaker="putin",
            text="Trade turnover between Russia and India is growing, particularly in crude oil and high-technology sectors, and this year's growth rate surpasses the previous year's.",
            mode="reported",
            language="en",
            date="2023-12-27",
            engagement=kremlin,
            capacity="t-putin-president",  # type: ignore[arg-type]
            topics=["trade", "energy", "technology"],
            sources=["src-seed"],
        ),
        Statement(
            id="st-jaishankar-summit-2023-12-27",
            speaker="jaishankar",
            text="Prime Minister Modi and President Putin will meet for an annual summit next year.",
            mode="reported",
            language="en",
            date="2023-12-27",
            engagement="press-jaishankar-lavrov-2023-12-27",
            capacity="t-jaishankar-eam",  # type: ignore[arg-type]
            topics=["strategic_partnership"],
            sources=["src-seed", "src-rediff-2023-12-28"],
            notes="Reported speech: he 'was confident' of it.",
        ),
    ]


def indicators() -> list[Indicator]:
    return [
        Indicator(
            id="rus-ind-trade-turnover-2023",
            subject="rus",
            counterpart="ind",
            flow="turnover",
            measure="trade turnover between Russia and India",
            start="2023",
            end="2023",
            direction="increase",
            sources=["src-seed"],  # type: ignore[arg-type]
            notes="As observed by Putin on 27 December 2023: growth 'particularly in crude oil and high-technology sectors', with 'this year's growth rate surpassing that of the previous year'. No value is given.",
        ),
        Indicator(
            id="ind-rus-crude-imports",
            subject="ind",
            counterpart="rus",
            flow="imports",
            measure="India's imports of Russian crude oil",
            commodity="crude oil",
            direction="increase",
            sources=["src-seed"],
            notes="The seed reports 'a substantial increase' without a period or value; both are left out.",
        ),
    ]


def evidence() -> list[Evidence]:
    def seed(id: str, quote: str, supports: list[str]) -> Evidence:
        return Evidence(id=id, source="src-seed", quote=quote, supports=supports)

    def web(
        id: str, source: str, quote: str, supports: list[str], locator: str | None = None
    ) -> Evidence:
        return Evidence(id=id, source=source, quote=quote, supports=supports, locator=locator)

    kremlin = "meeting-putin-jaishankar-2023-12-27"
    visit = "visit-jaishankar-2023-12"
    unga = ["ind-no-condemnation", "ind-abstains-unga-ukraine"]
    return [
        seed(
            "ev-seed-kremlin",
            "Foreign Minister S. Jaishankar met with Russian President Vladimir Putin at the Kremlin on Wednesday, engaging in discussions that encompassed various issues, notably the ongoing conflict in Ukraine.",
            [kremlin, "jaishankar", "putin", "rus", "ukr", "t-putin-president", "t-jaishankar-eam"],
        ),
        seed(
            "ev-seed-invitation",
            "During this encounter, President Putin extended an invitation to Prime Minister Narendra Modi, expressing a warm welcome for his prospective visit to Russia in the upcoming year.",
            ["invitation-modi-2023-12-27", "visit-modi-2024-07", "modi", "t-modi-pm"],
        ),
        seed(
            "ev-seed-host-modi",
            "We will be pleased to host our friend, Prime Minister Modi, in Russia.",
            ["st-putin-host-modi-2023-12-27"],
        ),
        seed(
            "ev-seed-visit",
            "This interaction unfolded as part of Jaishankar's official five-day visit to the country, during which he also had discussions with his Russian counterpart, Sergey Lavrov.",
            [visit, "talks-lavrov-jaishankar-2023-12-27", "lavrov", "t-lavrov-fm", "ind"],
        ),
        seed(
            "ev-seed-readiness",
            "affirmed Russia's readiness to collaborate with India by sharing information on potential peaceful resolutions",
            ["rus-offers-information"],
        ),
        seed(
            "ev-seed-counsel",
            "I have counseled him (PM Modi) multiple times on the situation in Ukraine, and I am aware of his willingness to make every effort for a peaceful resolution. Hence, we will delve deeper into that now and provide additional information to you",
            ["st-putin-counsel-2023-12-27", "rus-offers-information"],
        ),
        seed(
            "ev-seed-press",
            "Subsequent to their discussions, Jaishankar, alongside Lavrov, engaged in a joint media appearance, expressing confidence that PM Modi and President Putin would convene for an annual summit in the coming year.",
            ["press-jaishankar-lavrov-2023-12-27", "st-jaishankar-summit-2023-12-27", "summit-22"],
        ),
        seed(
            "ev-seed-summits",
            "To date, 21 annual summits have alternated between India and Russia, with the most recent one held in Delhi in December 2021.",
            ["summit-21"],
        ),
        seed(
            "ev-seed-trade",
            "President Putin observed the escalating trade turnover between Russia and India, particularly in crude oil and high-technology sectors.",
            ["st-putin-trade-2023-12-27", "rus-ind-trade-turnover-2023"],
        ),
        seed(
            "ev-seed-trade-growth",
            "He highlighted the consistent and augmented growth in trade turnover, with this year's growth rate surpassing that of the previous year.",
            ["st-putin-trade-2023-12-27", "rus-ind-trade-turnover-2023"],
        ),
        seed(
            "ev-seed-manturov",
            'During his visit, Jaishankar engaged in a "comprehensive and productive" meeting with Russia\'s Deputy Prime Minister Denis Manturov, focusing on bilateral economic cooperation.',
            ["meeting-manturov-jaishankar-2023-12", "manturov", "t-manturov-dpm"],
        ),
        seed(
            "ev-seed-kudankulam",
            "The discussions resulted in the signing of significant agreements related to the construction of future power-generating units at the Kudankulam nuclear power plant in Tamil Nadu.",
            ["kudankulam-2023-12"],
        ),
        seed(
            "ev-seed-refrain",
            "India has refrained from condemning the Russian invasion, advocating for a diplomatic and dialogic resolution to the crisis.",
            ["ind-no-condemnation", "ind-calls-for-dialogue"],
        ),
        seed(
            "ev-seed-crude",
            "Moreover, India's import of Russian crude oil has witnessed a substantial increase, despite growing apprehensions in many Western countries.",
            ["ind-rus-crude-imports", "west-concern-crude", "western-countries"],
        ),
        # -- beyond the seed ------------------------------------------------------------
        web(
            "ev-hbl-dates",
            "src-hbl-2023-12-30",
            "Jaishankar was in Russia from December 25 to 29 during which he called on President Vladimir Putin and held discussions with the Deputy Prime Minister and the Minister of Industry and Trade Denis Manturov.",
            [visit],
        ),
        web(
            "ev-hbl-wednesday",
            "src-hbl-2023-12-30",
            "During Jaishankar's meeting with Putin at the Kremlin on Wednesday, the Russian president invited Prime Minister Narendra Modi to visit Russia next year.",
            [kremlin, "invitation-modi-2023-12-27"],
        ),
        web(
            "ev-menafn-evening",
            "src-menafn-2023-12-28",
            "Russian President Vladimir Putin held a significant meeting on Wednesday evening with India's External Affairs Minister, Subrahmanyam Jaishankar",
            [kremlin, "jaishankar"],
        ),
        web(
            "ev-ndt-kudankulam",
            "src-ndt-2023-12-30",
            "Three documents relating to the Kudan Kulam Nuclear Power Plants, an MoU on cooperation in pharmaceuticals and healthcare and a Protocol on Foreign Office Consultations were signed during the visit.",
            ["kudankulam-2023-12"],
        ),
        web(
            "ev-ndt-offices",
            "src-ndt-2023-12-30",
            "held discussions with Deputy Prime Minister and the Minister of Industry and Trade, Denis Manturov, as well as the Minister of Foreign Affairs, Sergey Lavrov.",
            ["t-manturov-dpm", "t-manturov-trade", "t-lavrov-fm"],
        ),
        web(
            "ev-rediff-glad",
            "src-rediff-2023-12-28",
            "We will be glad to see our friend, Mr. Prime Minister Modi in Russia,",
            ["st-putin-host-modi-2023-12-27", "invitation-modi-2023-12-27"],
        ),
        web(
            "ev-rediff-press",
            "src-rediff-2023-12-28",
            "Jaishankar said he was confident that Prime Minister Modi and President Putin will meet for an annual summit next year.",
            ["st-jaishankar-summit-2023-12-27", "press-jaishankar-lavrov-2023-12-27"],
        ),
        web(
            "ev-bt-lavrov-date",
            "src-bt-2023-12-28",
            "A wide ranging and useful meeting with FM Sergey Lavrov of Russia.",
            ["talks-lavrov-jaishankar-2023-12-27"],
            locator="Post by S. Jaishankar dated December 27, 2023, quoted in the article",
        ),
        web(
            "ev-statesman-no-summit",
            "src-statesman-2023-12-24",
            "The visit assumes greater significance as India and Russia have not held their annual leaders' summit this year.",
            [visit],
        ),
        web(
            "ev-bihar-2012",
            "src-bihar-2012-12",
            "This is the 13th annual summit between the two countries, a mechanism set up in 2000",
            ["summit-13", "summit-2000"],
        ),
        web(
            "ev-bihar-putin-years",
            "src-bihar-2012-12",
            "Putin as president earlier came for summit meetings in 2000, 2002, 2004 and 2007.",
            ["summit-2000", "summit-2002", "summit-2004", "summit-2007-01"],
        ),
        web(
            "ev-bihar-2011",
            "src-bihar-2012-12",
            "Manmohan Singh visited Moscow in December 2011 for the 12th annual summit.",
            ["summit-12", "manmohan-singh"],
        ),
        web(
            "ev-rediff-2007",
            "src-rediff-2007-11-07",
            "This will be 8th annual summit between the two heads of the government, alternatively held in India and Russia since 2000",
            ["summit-8"],
        ),
        web(
            "ev-rediff-2007-jan",
            "src-rediff-2007-11-07",
            "Putin had visited India last January, when he was the chief guest at the Republic Day celebrations.",
            ["summit-2007-01"],
        ),
        web(
            "ev-rediff-2008",
            "src-rediff-2008-12-02",
            "Medvedev will visit New Delhi between December 4 and December 6 for the annual Indo-Russia summit",
            ["summit-2008", "medvedev"],
        ),
        web(
            "ev-dailystar-2011",
            "src-dailystar-2011-12",
            "INDIAN Prime Minister Manmohan Singh arrived Moscow on December 15 on a three-day visit for a bilateral summit with Russian President Dmitry Medvedev as part of the 12th annual Indo-Russian summit.",
            ["summit-12", "medvedev", "manmohan-singh"],
        ),
        web(
            "ev-bs-2019",
            "src-bs-2021-11-26",
            "The last India-Russia annual summit was held in September 2019 during the visit of Modi to Vladivostok.",
            ["summit-20"],
        ),
        web(
            "ev-zee-2021",
            "src-zee-2024-07-04",
            "The last summit was held on December 6, 2021 in New Delhi.",
            ["summit-21"],
        ),
        web(
            "ev-zee-2024-visit",
            "src-zee-2024-07-04",
            "Prime Minister Narendra Modi will pay a visit to Russia from July 8 to 9 to hold the 22nd India-Russia annual summit",
            ["visit-modi-2024-07", "summit-22"],
        ),
        web(
            "ev-bs-2024-tuesday",
            "src-bs-2024-07-08",
            "During the 22nd India-Russia annual summit on Tuesday, Modi and Putin are expected to explore ways to further expand bilateral relations",
            ["summit-22"],
        ),
        web(
            "ev-ndtv-2025",
            "src-ndtv-2025-11-28",
            "President of the Russian Federation Vladimir Putin will pay a State visit to India from 4-5 December 2025 for the 23rd India-Russia Annual Summit",
            ["visit-putin-2025-12", "summit-23"],
        ),
        web(
            "ev-outlook-2025",
            "src-outlook-2025-12-05",
            "The 23rd annual summit will commence at 11.50 AM at the Hyderabad House, followed by press conference by Modi and Putin.",
            ["summit-23"],
        ),
        web(
            "ev-idn-2025",
            "src-idn-2025-12-05",
            "Prime Minister Narendra Modi received Russian President Vladimir Putin warmly at Hyderabad House in New Delhi, ahead of the 23rd India-Russia Annual Summit.",
            ["summit-23", "visit-putin-2025-12"],
        ),
        web(
            "ev-indiatoday-2000",
            "src-indiatoday-2018-09-11",
            "Ever since President Putin attended the inaugural summit in New Delhi in October 2000 with Prime Minister Vajpayee",
            ["summit-2000", "vajpayee"],
        ),
        web(
            "ev-w2r-2013",
            "src-w2r-2013-10-20",
            "Monday will be the first working day of the visit, the 14th annual Russian-Indian summit, when Putin and Singh will hold talks.",
            ["summit-14"],
        ),
        web(
            "ev-russialist-2013",
            "src-russialist-2013-10-21",
            "Russian President Vladimir Putin and Indian Prime Minister Manmohan Singh will discuss prospects of bilateral military and technical cooperation and the situation in Afghanistan and Syria during talks in Kremlin on October 21.",
            ["summit-14"],
        ),
        web(
            "ev-siasat-2014",
            "src-siasat-2015-12",
            "At the last summit held in New Delhi in December 2014, both Modi and Putin had given a lot of attention to expanding the economic pillars of the relationship",
            ["summit-15"],
        ),
        web(
            "ev-siasat-2015",
            "src-siasat-2015-12",
            "The actual summit will be held on December 24",
            ["summit-16"],
        ),
        web(
            "ev-indiacom-2015",
            "src-indiacom-2015-12",
            "Prime Minister of India Narendra Modi visited Russia from December 23-24, 2015 to attend the 16th India-Russia Annual Summit",
            ["summit-16"],
        ),
        web(
            "ev-wion-2016",
            "src-wion-2016-10-15",
            "At the 17th India-Russia Annual Summit in the western Indian state of Goa, Indian Prime Minister Narendra Modi and Russian President Vladimir Putin renewed their strategic ties",
            ["summit-17"],
        ),
        web(
            "ev-bs-2017",
            "src-bs-2017-06-02",
            "the 18th Annual India-Russia Summit at St. Petersburg",
            ["summit-18"],
        ),
        web(
            "ev-toi-2017",
            "src-toi-2018-09-28",
            "The last annual summit was held on June 1, 2017 during the visit of the prime minister to Russia.",
            ["summit-18"],
        ),
        web(
            "ev-ntv-2018",
            "src-ntv-2018-10",
            "Russian President Vladimir Putin met Indian Prime Minister Narendra Modi on Friday (October 5) in Hyderabad House in New Delhi for annual bilateral summit talks.",
            ["summit-19"],
        ),
        web(
            "ev-nie-2018",
            "src-nie-2018-10-06",
            "The 19th summit between India and Russia ended Friday",
            ["summit-19"],
        ),
        web(
            "ev-vote-2022-03-24",
            "src-awaaz-2022-03-25",
            "India abstained on the resolution that was adopted in the 193-member Assembly with 140 votes in favour, five against it and 38 abstentions.",
            unga,
            locator="General Assembly vote of 24 March 2022 on 'Humanitarian consequences of the aggression against Ukraine'",
        ),
        web(
            "ev-vote-2022-11-14",
            "src-moneycontrol-2022-11-15",
            "India abstained in the UN General Assembly on a draft resolution calling for Russia to be held accountable for violations of international law by its invasion of Ukraine",
            unga,
            locator="General Assembly vote of 14 November 2022 on 'Furtherance of remedy and reparation for aggression against Ukraine' (94-14-73)",
        ),
        # -- India's votes: evidence for the non-condemnation position ---------------------
        web(
            "ev-vote-2022-02-27",
            "src-deccan-2022-02-28",
            "India abstained on a procedural resolution to call for a rare special emergency session of the UN General Assembly on Russia's aggression against Ukraine.",
            ["ind-no-condemnation"],
            locator="Security Council vote of 27 February 2022",
        ),
        web(
            "ev-vote-2022-03-02",
            "src-bs-2022-03-03",
            "India was among 35 nations who abstained.",
            unga,
            locator="General Assembly vote of 2 March 2022 on the resolution 'Aggression against Ukraine' (141 in favour, 5 against, 35 abstentions)",
        ),
        web(
            "ev-vote-2022-04-07",
            "src-quint-2022-04-07",
            "Meanwhile, India abstained from voting on the draft resolution.",
            unga,
            locator="General Assembly vote of 7 April 2022 suspending Russia from the Human Rights Council (93-24-58)",
        ),
        web(
            "ev-vote-2022-10-12",
            "src-ndtv-2022-10-13",
            "As many as 35 abstained from the resolution, including India.",
            unga,
            locator="General Assembly vote of 12 October 2022 condemning the attempted annexation of four Ukrainian regions (143-5-35)",
        ),
        web(
            "ev-vote-2023-02-23",
            "src-bt-2023-02-24",
            "India, along with 31 other countries abstained from the resolution",
            unga,
            locator="General Assembly vote of 23 February 2023 on 'Principles of the Charter of the United Nations underlying a comprehensive, just and lasting peace in Ukraine' (141-7-32)",
        ),
        web(
            "ev-vote-2025-02-24",
            "src-bt-2025-02-25",
            "India abstained from voting on a United Nations General Assembly draft resolution which called for de-escalation, early cessation of hostilities, and a peaceful resolution of the war against Ukraine.",
            unga,
            locator="General Assembly vote of 24 February 2025 on 'Advancing a comprehensive, just and lasting peace in Ukraine' (93-18-65)",
        ),
        web(
            "ev-vote-2025-02-24-us",
            "src-devdiscourse-2025-02-24",
            "Despite its passage, India abstained from the US-proposed resolution",
            unga,
            locator="General Assembly vote of 24 February 2025 on the resolution proposed by the United States",
        ),
        web(
            "ev-zee-dialogue",
            "src-zee-2022-04-07",
            "Since the inception of the Ukrainian conflict, India has stood for peace, dialogue and diplomacy.",
            ["ind-calls-for-dialogue"],
            locator="Explanation of vote by India's Permanent Representative, 7 April 2022",
        ),
    ]


def all_records() -> list[Record]:
    return [
        *sources(),
        *actors(),
        *tenures(),
        *engagements(),
        *agreements(),
        *positions(),
        *statements(),
        *indicators(),
        *evidence(),
    ]


METADATA = {
    "description": (
        "India–Russia bilateral relations as typed bilat records: the December 2023 visit of S. Jaishankar to Russia "
        "(from the seed article and public reports), the series of India–Russia annual summits as far as sourced, "
        "India's positions on Russia's invasion of Ukraine with its UN General Assembly votes, and reported trade trends. "
        "Every record cites its sources; seed quotes are verified verbatim."
    ),
    "licenses": [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ],
    "keywords": [
        "India",
        "Russia",
        "bilateral relations",
        "diplomacy",
        "annual summit",
        "Ukraine",
        "UN General Assembly",
    ],
    "contributors": [{"title": "bilat contributors", "role": "author"}],
    "sources": [
        {
            "title": "Putin Meets S Jaishankar, Invites PM To Russia, Seeks Ukraine Solution (seed document)",
            "path": "https://tarunias.com/blog/putin-meets-s-jaishankar-invites-pm-to-russia-seeks-ukraine-solution/",
        },
        {"title": "Public news reports cited record by record in sources.csv"},
    ],
    "created": "2026-11-24T00:00:00Z",
}


def coverage(records: list[Record]) -> str:
    """The coverage table for the data card."""
    by_kind = Counter(r.KIND for r in records)
    evidence = [r for r in records if isinstance(r, Evidence)]
    seed_supported = {s for e in evidence if e.source == "src-seed" for s in e.supports}
    web_supported = {s for e in evidence if e.source != "src-seed" for s in e.supports}
    lines = [
        "| record type | records | sources per record (mean) | with seed evidence | with external evidence | resting on seed only | resting on external sources only |",
        "|---|---|---|---|---|---|---|",
    ]
    # every kind that rests on sources, in the models' order
    for kind in [k for k, cls in RECORD_TYPES.items() if issubclass(cls, SourcedRecord)]:
        rs = [r for r in records if r.KIND == kind]
        if not rs:
            continue
        srcs = [len(r.sources) for r in rs]  # type: ignore[attr-defined]
        seed_only = sum(1 for r in rs if set(r.sources) == {"src-seed"})  # type: ignore[attr-defined]
        ext_only = sum(1 for r in rs if "src-seed" not in r.sources)  # type: ignore[attr-defined]
        lines.append(
            f"| {kind} | {len(rs)} | {sum(srcs) / len(srcs):.1f} | {sum(1 for r in rs if r.id in seed_supported)} | "
            f"{sum(1 for r in rs if r.id in web_supported)} | {seed_only} | {ext_only} |"
        )
    lines.append(f"| source | {by_kind['source']} | – | – | – | – | – |")
    n_seed = sum(1 for e in evidence if e.source == "src-seed")
    lines.append(
        f"| evidence | {by_kind['evidence']} ({n_seed} quotes from the seed, verified verbatim; {len(evidence) - n_seed} from external sources) | – | – | – | – | – |"
    )
    return "\n".join(lines)


def main() -> None:
    records = all_records()
    for path in HERE.glob("*.csv"):
        path.unlink()
    write_package(
        HERE,
        records,
        name="india-russia",
        title="India–Russia bilateral relations",
        version=VERSION,
        metadata=METADATA,
    )
    (HERE / "seeds").mkdir(exist_ok=True)
    shutil.copyfile(REPO / "seeds" / SEED, HERE / "seeds" / SEED)
    shutil.copyfile(
        REPO / "seeds" / SEED.replace(".txt", ".json"),
        HERE / "seeds" / SEED.replace(".txt", ".json"),
    )
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- coverage:start -->", "<!-- coverage:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{coverage(records)}\n{end}{tail}", encoding="utf-8")
    print(json.dumps(Counter(r.KIND for r in records), sort_keys=True))


if __name__ == "__main__":
    main()
