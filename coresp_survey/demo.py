"""Believable synthetic answers for any survey, so the demo shows real-looking indicator pages.

An empty demo database shows nothing worth seeing: no indicator, no change
between rounds, no open answer to moderate. These answers are made up, but
shaped like a real school or neighbourhood survey: respondents come from each
group in proportion to its size and a plausible response rate; each group has
its own leaning per indicator family (pupils dislike canteen food, teachers
their workload, parents like the information they get); a later round is a
little better on a few indicators; optional questions are sometimes skipped.

Each question type makes up its own answers (`QuestionType.made_up`) within
the rules its form checks (``show_if``, required, choices, min/max, lengths),
from what a `Respondent` here says of the person answering. The answers are
stored as an import stores them (`responses.import_responses`), without going
through the forms: tests/test_demo_data.py walks them through the forms,
which accept them unchanged. Everything is drawn from ``random.Random(seed)``:
the same seed gives the same responses.

A survey may come with a demo action plan (``demo_actions/<survey id>.yaml``,
in the shape ``coresp-survey actions --import`` reads): the bundled school
survey's has actions started between its two rounds, aimed at indicators
that the made-up answers improve and at others they leave as they were, so
the demo shows the whole cycle: criteria, indicators, actions, the re-measure.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from coresp_survey.answers import responses
from coresp_survey.answers.definitions import command_line_language
from coresp_survey.answers.definitions import load_definitions
from coresp_survey.answers.definitions import round_versions
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Survey
from coresp_survey.workspace import decisions
from coresp_survey.workspace.action_checks import Context
from coresp_survey.workspace.action_files import read_actions
from coresp_survey.workspace.actions import store_actions
from coresp_survey.workspace.actions import survey_actions

Row = tuple[str, str | None, dict[str, Any]]

CLOSED_SKIP_RATE = 0.12
"""How often an optional closed question is left unanswered."""
OPEN_SKIP_RATE = 0.4
"""Open questions take effort: more people leave them blank."""
ROUND_GAIN = 0.12
"""How much an improving indicator gains per later round, on a 0–1 position scale (≈ half a level of five)."""
MIN_PER_ROUND = 60
MAX_PER_ROUND = 750
DEMO_ACTIONS = Path(__file__).resolve().parent / "demo_actions"
"""Demo action plans, one file per survey id."""
IMPROVING = {
    "college-bien-etre": frozenset(
        {"confort_salles", "relations_adultes", "conditions_travail", "equilibre_pro", "reconnaissance"}
    )
}
"""Indicators whose answers improve round after round, where the demo's action plan tells a story about them
(warm classrooms and a trusted adult per class work, `DEMO_ACTIONS`); a survey not named here has a quarter of
its scale questions drawn at random. Named, not drawn, so that an edit of the survey file (a question added)
never turns the plan's story upside down."""


@dataclass(frozen=True)
class Profile:
    """How a kind of group tends to answer, recognised from its id."""

    keywords: tuple[str, ...]
    response_rate: float
    leanings: dict[str, float] = field(default_factory=dict)
    """Question-id keyword → shift of the mean position (0–1 scale) for scale questions."""
    years: float = 4.0
    """Typical value above the minimum for number questions (seniority, mostly)."""


PROFILES = (
    Profile(
        ("eleve", "student", "pupil", "jeune", "young"),
        0.45,
        {"repas": -0.3, "cantine": -0.3, "meal": -0.3, "devoir": -0.15, "toilette": -0.2, "cour": 0.08},
        years=1.2,
    ),
    Profile(
        ("enseignant", "teacher", "prof"),
        0.7,
        {"equilibre_pro": -0.28, "charge": -0.25, "reconnaissance": -0.2, "ecoute": -0.08, "equipe": 0.12},
        years=7.0,
    ),
    Profile(
        ("personnel", "staff", "agent"),
        0.6,
        {"reconnaissance": -0.25, "conditions": -0.15, "ecoute": -0.1, "equipe": 0.08},
        years=6.0,
    ),
    Profile(
        ("parent", "famil"),
        0.2,
        {"information": 0.18, "suivi": 0.15, "familles": 0.1, "securite": 0.08, "repas": 0.05},
        years=2.0,
    ),
    Profile(("aine", "senior", "older"), 0.35, {"transport": -0.1, "bruit": -0.1}, years=20.0),
)
DEFAULT_PROFILE = Profile((), 0.3)

BASE_POSITION = 0.55
"""Where answers sit on average between the lowest (0) and highest (1) level: a little above "average"."""

OPEN_POOLS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "good": (
            "Se sentir en sécurité et respecté",
            "Avoir des amis et rire ensemble",
            "Des adultes qui nous écoutent",
            "Un endroit calme pour travailler",
            "Être encouragé quand on fait des efforts",
            "Une bonne ambiance dans la classe",
            "Des toilettes propres",
            "Pouvoir parler de ses problèmes sans être jugé",
        ),
        "bad": (
            "Le bruit à la cantine",
            "Les moqueries et les insultes",
            "Se sentir seul à la récréation",
            "Trop de devoirs le même soir",
            "Des bagarres devant la grille",
            "Ne pas être écouté quand on signale un problème",
            "Des salles trop froides en hiver",
        ),
        "ideas": (
            "Plus de calme à la cantine",
            "Des toilettes propres",
            "Aider les nouveaux à trouver leur place",
            "Mieux répartir les contrôles dans la semaine",
            "Organiser des rencontres entre parents et professeurs",
            "Plus de bancs et d'abris dans la cour",
            "Être poli et dire bonjour",
            "Un club de jeux le midi",
        ),
        "word": ("Accueillant", "Bruyant", "Vivant", "Sympa", "Stressant", "Familial", "Grand", "Calme"),
        "other": ("Au club de théâtre", "En salle de musique", "Un peu partout", "Ça dépend des jours"),
    },
    "en": {
        "good": (
            "Feeling safe and respected",
            "Having friends and laughing together",
            "Adults who listen to us",
            "A quiet place to work",
            "Being encouraged when we try hard",
            "A good atmosphere in class",
            "Clean toilets",
        ),
        "bad": (
            "The noise in the canteen",
            "Mockery and insults",
            "Feeling alone at break time",
            "Too much homework on the same evening",
            "Fights outside the gate",
            "Not being listened to when reporting a problem",
        ),
        "ideas": (
            "A calmer canteen",
            "Clean toilets",
            "Helping newcomers find their place",
            "Spreading tests over the week",
            "More benches and shelters outside",
            "Being polite and saying hello",
        ),
        "word": ("Welcoming", "Noisy", "Lively", "Friendly", "Stressful", "Big", "Calm"),
        "other": ("In the drama club", "In the music room", "A bit everywhere", "It depends on the day"),
    },
}
POOL_KEYWORDS = (
    ("bad", ("mal", "insecur", "probleme", "problem", "ill", "unsafe", "why", "pourquoi")),
    ("ideas", ("agir", "amelior", "propos", "idee", "idea", "improve", "suggest", "remarque", "remark")),
    ("good", ("bien", "well", "aime", "like")),
)
SHORT_TEXT = 60
"""Text limits at or below this ask for a word, not a sentence."""


# -- respondents per group ----------------------------------------------------------


def profile_for(group_id: str | None) -> Profile:
    """The profile whose keyword the group id contains; the default one otherwise."""
    name = (group_id or "").lower()
    return next((p for p in PROFILES if any(word in name for word in p.keywords)), DEFAULT_PROFILE)


def _sizes(survey: Survey) -> dict[str, float]:
    """Group sizes, an unknown size counting as the mean of the known ones (or 100)."""
    known = [g.size for g in survey.groups if g.size]
    fallback = sum(known) / len(known) if known else 100
    return {g.id: float(g.size or fallback) for g in survey.groups}


def expected_share(survey: Survey) -> dict[str | None, float]:
    """Each group's share of respondents: its size times its profile's response rate."""
    if not survey.groups:
        return {None: 1.0}
    weights = {gid: size * profile_for(gid).response_rate for gid, size in _sizes(survey).items()}
    total = sum(weights.values())
    return {gid: weight / total for gid, weight in weights.items()}


def typical_turnout(survey: Survey) -> int:
    """Respondents one round would plausibly get (sizes × response rates), kept within demo bounds."""
    if not survey.groups:
        return MIN_PER_ROUND * 2
    expected = sum(size * profile_for(gid).response_rate for gid, size in _sizes(survey).items())
    return max(MIN_PER_ROUND, min(MAX_PER_ROUND, round(expected)))


def _allocate(shares: dict[str | None, float], total: int, rng: random.Random) -> dict[str | None, int]:
    """Split ``total`` by jittered shares (±10 %, so rounds differ a little), largest remainders first."""
    jittered = {gid: share * rng.uniform(0.9, 1.1) for gid, share in shares.items()}
    scale = total / sum(jittered.values())
    exact = {gid: weight * scale for gid, weight in jittered.items()}
    counts = {gid: int(value) for gid, value in exact.items()}
    by_remainder = sorted(exact, key=lambda gid: exact[gid] - counts[gid], reverse=True)
    for gid in by_remainder[: total - sum(counts.values())]:
        counts[gid] += 1
    return counts


# -- tendencies -----------------------------------------------------------------------


@dataclass
class Tendencies:
    """Where each group's answers sit, per scale question, and which indicators improve over rounds."""

    positions: dict[tuple[str | None, str], float]
    improving: frozenset[str]
    choice_weights: dict[tuple[str | None, str], list[float]]


def make_tendencies(survey: Survey, rng: random.Random) -> Tendencies:
    """Draw each group's leaning per indicator family, add its profile's leanings, pick improving indicators."""
    groups: list[str | None] = [g.id for g in survey.groups] or [None]
    families = sorted({q.id: _family(survey, q.id) for q in survey.questions}.values(), key=str)
    family_shift = {(gid, fam): rng.gauss(0, 0.05) for gid in groups for fam in families}
    positions = {}
    choice_weights = {}
    for gid in groups:
        leanings = profile_for(gid).leanings
        for question in survey.questions:
            lean = sum(shift for word, shift in leanings.items() if word in question.id)
            own = rng.gauss(0, 0.04)
            positions[gid, question.id] = BASE_POSITION + family_shift[gid, _family(survey, question.id)] + lean + own
            choice_weights[gid, question.id] = _choice_weights(question, rng)
    scale_ids = sorted(q.id for q in survey.questions if q.kind.rated)
    count = max(1, len(scale_ids) // 4) if scale_ids else 0
    drawn = frozenset(rng.sample(scale_ids, count))
    named = {i.question for i in survey.indicators if i.id in IMPROVING.get(survey.id, ())}
    return Tendencies(positions, frozenset(named) or drawn, choice_weights)


def _family(survey: Survey, question_id: str) -> str | None:
    return next((i.family for i in survey.indicators if i.question == question_id), None)


def _choice_weights(question: Question, rng: random.Random) -> list[float]:
    """Uneven popularity of choices (a few favourites), "Other" rarely picked."""
    weights = [rng.uniform(0.2, 1.0) ** 2 for _ in question.choices]
    return weights + [0.05 * sum(weights) / max(1, len(weights))] if question.other else weights


# -- one respondent -------------------------------------------------------------------


@dataclass
class Respondent:
    """What shapes one person's answers: group, round, mood, and the survey-wide tendencies.

    What the question types draw their made-up answers from (`question_types.MadeUpRespondent`).
    """

    survey: Survey
    group: str | None
    round_index: int
    mood: float
    tendencies: Tendencies
    rng: random.Random

    def leaning(self, question: Question) -> float:
        """The group's position on the question, moved by this person's mood and by the round, if it improves."""
        position = self.tendencies.positions[self.group, question.id] + self.mood
        if question.id in self.tendencies.improving:
            position += ROUND_GAIN * self.round_index
        return position

    def choice_weights(self, question: Question) -> list[float]:
        return self.tendencies.choice_weights[self.group, question.id]

    def typical_number(self) -> float:
        return profile_for(self.group).years

    def open_text(self, question: Question, limit: int) -> str:
        """A word when the limit is short, else a sentence of the pool the question's id suggests."""
        limit = limit or SHORT_TEXT
        kind = "word" if limit <= SHORT_TEXT else _pool_kind(question.id)
        return pool_text(kind, limit, self)

    def other_text(self, limit: int) -> str:
        return pool_text("other", limit, self)


def respond(person: Respondent) -> dict[str, Any]:
    """Answer every question that applies, in order, judging ``show_if`` on the answers so far."""
    answers: dict[str, Any] = {}
    for section in person.survey.sections:
        if section.show_if is not None and not section.show_if.evaluate(answers, person.group):
            continue
        for question in section.questions:
            if question.show_if is not None and not question.show_if.evaluate(answers, person.group):
                continue
            if _skips(question, person.rng):
                continue
            answers.update(answer(question, person))
    return answers


def _skips(question: Question, rng: random.Random) -> bool:
    if question.required:
        return False
    return rng.random() < (OPEN_SKIP_RATE if question.is_open else CLOSED_SKIP_RATE)


def answer(question: Question, person: Respondent) -> dict[str, Any]:
    """The typed answer to one question, as a response stores it (``<id>_other`` only with "other")."""
    return question.kind.made_up(question, person)


def _pool_kind(question_id: str) -> str:
    """Which pool of sentences suits an open question, guessed from its id."""
    name = question_id.lower()
    return next((kind for kind, words in POOL_KEYWORDS if any(w in name for w in words)), "ideas")


def pool_text(kind: str, limit: int, person: Respondent) -> str:
    """A short plausible sentence in the survey's default language, within ``limit`` characters.

    Half the time, in French, the group's own wording of a criterion (`group_wording`).
    """
    own = group_wording(kind, limit, person)
    if own is not None:
        return own
    pools = OPEN_POOLS.get(person.survey.default_language, OPEN_POOLS["en"])
    fitting = [text for text in pools[kind] if len(text) <= limit] or [pools[kind][0][:limit].strip() or "Ok"]
    return person.rng.choice(fitting)


# -- the whole data set ----------------------------------------------------------------


def synthetic_responses(survey: Survey, rounds: list[str], per_round: int, seed: int) -> list[Row]:
    """``per_round`` made-up responses for each round, as (round, group, typed answers) rows.

    Deterministic for a seed. Rows of a round are shuffled, so groups come mixed
    as they would from the web.
    """
    rng = random.Random(seed)
    tendencies = make_tendencies(survey, rng)
    rows: list[Row] = []
    for round_index, survey_round in enumerate(rounds):
        counts = _allocate(expected_share(survey), per_round, rng)
        people = [gid for gid, count in counts.items() for _ in range(count)]
        rng.shuffle(people)
        for gid in people:
            person = Respondent(survey, gid, round_index, rng.gauss(0, 0.08), tendencies, rng)
            rows.append((survey_round, gid, respond(person)))
    return rows


def demo_rounds(survey: Survey) -> list[str]:
    """The survey's own round and the one before, so the site has a change to show."""
    current = survey.round
    previous = str(int(current) - 1).zfill(len(current)) if current.isdigit() and int(current) > 0 else "0"
    return [previous, current] if previous != current else [current]


def survey_seed(survey: Survey) -> int:
    """A seed of the survey's id: each survey gets its own, stable data."""
    return zlib.crc32(survey.id.encode())


@dataclass(frozen=True)
class Filled:
    survey: str
    count: int
    rounds: list[str]


def fill_empty_surveys(db: Database, surveys: list[Survey] | dict[str, Survey]) -> list[Filled]:
    """Store synthetic answers for each public survey that has no response yet; return what was filled.

    Surveys with responses are left alone, so running the demo again adds
    nothing. Code surveys are left empty: their demo is answering with a code.
    """
    filled = []
    for survey in surveys.values() if isinstance(surveys, dict) else surveys:
        if survey.access != "public" or responses.count_responses(db, survey.id):
            continue
        rounds = demo_rounds(survey)
        rows = synthetic_responses(survey, rounds, typical_turnout(survey), survey_seed(survey))
        versions = round_versions(survey, rounds)  # every made-up round answered this very file
        rows, english = answered_in_english(survey, rows, survey_seed(survey))
        responses.import_responses(db, survey=survey.id, lang=survey.default_language, rows=rows, versions=versions)
        if english:
            responses.import_responses(db, survey=survey.id, lang="en", rows=english, versions=versions)
        rows = rows + english
        filled.append(Filled(survey.id, len(rows), rounds))
    return filled


# -- moderation, as a coordination group would start it ---------------------------------

CRITERIA_FAMILIES = {
    "Se sentir en sécurité et respecté": ("B", "G"),
    "Avoir des amis et rire ensemble": ("D",),
    "Des adultes qui nous écoutent": ("C", "D"),
    "Un endroit calme pour travailler": ("B",),
    "Être encouragé quand on fait des efforts": ("C", "F"),
    "Une bonne ambiance dans la classe": ("D", "G"),
    "Des toilettes propres": ("A", "B"),
    "Pouvoir parler de ses problèmes sans être jugé": ("D", "F"),
    "Le bruit à la cantine": ("B",),
    "Les moqueries et les insultes": ("D", "E"),
    "Se sentir seul à la récréation": ("D", "G"),
    "Trop de devoirs le même soir": ("F",),
    "Des bagarres devant la grille": ("B", "E"),
    "Ne pas être écouté quand on signale un problème": ("C",),
    "Des salles trop froides en hiver": ("A", "B"),
}
"""The families a coordination group would give the demo's French criteria (A–H, SPIRAL)."""


def moderate_demo(db: Database, survey: Survey, at: str) -> int:
    """Approve and classify one answer per distinct criterion and group; the rest stay pending, as work in progress.

    Does nothing if the survey already has decisions, so a second demo run changes nothing.
    """
    if decisions.decisions(db, survey.id):
        return 0
    from coresp_survey.workspace.moderation import open_answers

    seen: set[tuple[str, str | None]] = set()
    approved = 0
    for answer in open_answers(survey, responses.iter_responses(db, survey.id), {}):
        families = CRITERIA_FAMILIES.get(answer.text) or WORDED_FAMILIES.get(answer.text)
        if families is None or (answer.text, answer.group) in seen:
            continue
        seen.add((answer.text, answer.group))
        key = [(answer.response_id, answer.question)]
        approved += decisions.decide(db, survey=survey.id, answers=key, status="approved", families=families, at=at)
    link_demo_criteria(db, survey, at)
    return approved


# -- the action plan that followed the first round --------------------------------------


def plan_demo_actions(db: Database, survey: Survey, at: str) -> int:
    """Store the survey's demo action plan (`DEMO_ACTIONS`) when it has one and no action yet; return how many.

    The file is checked as ``actions --import`` checks one; a file that no
    longer fits the survey (an indicator renamed) is refused in one line.
    """
    path = DEMO_ACTIONS / f"{survey.id}.yaml"
    if not path.is_file() or survey_actions(db, survey.id):
        return 0
    context = Context(survey, tuple(load_definitions(db, survey).rounds), command_line_language())
    found, problems = read_actions(path.read_text(encoding="utf-8"), context)
    if problems:
        raise ValueError(f"{path}:{problems[0].where}: {problems[0].message}")
    store_actions(db, survey.id, found, at=at, author=None)
    return len(found)


# -- criteria as each group words them, some in English, linked to indicators -------------


@dataclass(frozen=True)
class GroupCriterion:
    """One criterion as different groups word it, its families and the indicators it speaks of."""

    kind: str
    """The pool it answers: ``good`` (well-being), ``bad`` (ill-being) or ``ideas`` (what people can do)."""
    families: tuple[str, ...]
    indicators: tuple[str, ...]
    wordings: dict[str, tuple[str, ...]]
    """Profile keyword (its first: ``eleve``, ``parent``, ``enseignant``, ``personnel``) → French wordings."""
    english: str


GROUP_CRITERIA = (
    GroupCriterion(
        "good",
        ("A", "B"),
        ("toilettes",),
        {
            "eleve": ("des toilettes propres !", "Toilettes propres et avec du papier", "DES TOILETTES PROPRES"),
            "parent": ("Que les toilettes soient propres et ouvertes toute la journée",),
            "personnel": ("Des sanitaires entretenus et respectés",),
        },
        "Toilets that are clean and open all day",
    ),
    GroupCriterion(
        "good",
        ("D",),
        ("relations_eleves",),
        {
            "eleve": ("Avoir des copains", "avoir des amis", "Rigoler avec mes potes à la récré"),
            "parent": ("Que mon enfant ait des amis et se sente accepté",),
        },
        "My child having friends and feeling accepted",
    ),
    GroupCriterion(
        "good",
        ("C", "D"),
        ("relations_adultes", "ecoute_direction"),
        {
            "eleve": ("Des profs qui nous écoutent", "Quand un adulte prend le temps de m'écouter"),
            "enseignant": ("Une direction qui écoute et soutient l'équipe",),
            "personnel": ("Être écouté par la direction",),
        },
        "Teachers who listen to us",
    ),
    GroupCriterion(
        "good",
        ("C",),
        ("information", "relations_familles"),
        {
            "parent": (
                "Être bien informé de ce qui se passe au collège",
                "Des professeurs joignables quand il y a un souci",
            ),
        },
        "Being kept informed of what happens at school",
    ),
    GroupCriterion(
        "good",
        ("G",),
        ("reconnaissance",),
        {
            "enseignant": ("Se sentir reconnu dans son travail",),
            "personnel": ("Qu'on dise merci pour le travail fait", "Être reconnu comme membre de l'équipe"),
        },
        "Being thanked for the work done",
    ),
    GroupCriterion(
        "bad",
        ("A", "B"),
        ("repas",),
        {
            "eleve": (
                "La cantine trop bruyante",
                "Le bruit à la cantine !",
                "manger en 10 minutes parce que la queue est longue",
            ),
            "parent": ("Des repas froids ou pas assez copieux",),
        },
        "The canteen is too noisy",
    ),
    GroupCriterion(
        "bad",
        ("D", "E"),
        ("harcelement", "relations_eleves"),
        {
            "eleve": ("Les moqueries", "Quand on se moque de moi sur les réseaux"),
            "parent": ("Le harcèlement, même en dehors du collège",),
        },
        "Mockery and insults",
    ),
    GroupCriterion(
        "bad",
        ("F",),
        ("charge_devoirs", "equilibre_pro"),
        {
            "eleve": ("Trop de contrôles la même semaine", "trop de devoirs le même soir"),
            "enseignant": ("Les réunions qui s'ajoutent le soir", "Corriger tard le soir, tous les soirs"),
            "parent": ("Des devoirs jusqu'à tard le soir",),
        },
        "Too many tests in the same week",
    ),
    GroupCriterion(
        "bad",
        ("B", "G"),
        ("securite",),
        {
            "eleve": ("Avoir peur devant la grille", "Les bagarres à la sortie"),
            "parent": ("L'insécurité aux abords du collège",),
        },
        "Fights outside the gate",
    ),
    GroupCriterion(
        "ideas",
        ("H",),
        ("participation", "regles"),
        {
            "eleve": (
                "Dire bonjour et être poli",
                "Aider les nouveaux à trouver leur place",
                "Proposer un club le midi",
            ),
            "parent": ("Venir aux réunions et proposer mon aide", "Parler avec mon enfant de sa journée"),
            "enseignant": ("Organiser des temps d'échange avec les élèves",),
            "personnel": ("Respecter le travail de chacun",),
        },
        "Helping newcomers find their place",
    ),
    GroupCriterion(
        "ideas",
        ("A", "B"),
        ("repas", "cour"),
        {
            "eleve": ("Plus de calme à la cantine", "Des bancs et un abri dans la cour"),
            "parent": ("Un self moins bruyant avec plus de temps pour manger",),
        },
        "More benches and shelters in the playground",
    ),
)
"""The demo's criteria read like real ones: each group words them its way, some with an English version."""
WORDED_FAMILIES = {
    text: criterion.families
    for criterion in GROUP_CRITERIA
    for text in (*(w for words in criterion.wordings.values() for w in words), criterion.english)
}
"""Wording (French or English) → families, for `moderate_demo`."""
POOL_INDICATORS = {
    "Se sentir en sécurité et respecté": ("securite", "equite"),
    "Avoir des amis et rire ensemble": ("relations_eleves",),
    "Des adultes qui nous écoutent": ("relations_adultes", "ecoute_direction"),
    "Un endroit calme pour travailler": ("confort_salles",),
    "Être encouragé quand on fait des efforts": ("relations_adultes",),
    "Une bonne ambiance dans la classe": ("relations_eleves", "plaisir_venir"),
    "Des toilettes propres": ("toilettes",),
    "Pouvoir parler de ses problèmes sans être jugé": ("relations_adultes",),
    "Le bruit à la cantine": ("repas",),
    "Les moqueries et les insultes": ("harcelement", "relations_eleves"),
    "Se sentir seul à la récréation": ("relations_eleves", "cour"),
    "Trop de devoirs le même soir": ("charge_devoirs",),
    "Des bagarres devant la grille": ("securite",),
    "Ne pas être écouté quand on signale un problème": ("ecoute_direction",),
    "Des salles trop froides en hiver": ("confort_salles",),
}
"""The indicators a coordination group would link the demo's pool criteria to."""
GROUP_WORDING_RATE = 0.5
"""How often a respondent writes their group's own wording rather than a sentence of the common pool."""
ENGLISH_RATES = {"parent": 0.08, "eleve": 0.03}
"""Share of each profile's respondents who answer in English (families new to the country, pupils of a
bilingual class)."""


def group_wording(kind: str, limit: int, person: Respondent) -> str | None:
    """The person's group's own wording of a criterion of this kind (French surveys), or None: the common pool."""
    if person.survey.default_language != "fr" or kind not in ("good", "bad", "ideas"):
        return None
    profile = profile_for(person.group).keywords[:1]
    wordings = [
        text
        for criterion in GROUP_CRITERIA
        if criterion.kind == kind
        for text in criterion.wordings.get(profile[0] if profile else "", ())
        if len(text) <= limit
    ]
    if not wordings or person.rng.random() >= GROUP_WORDING_RATE:
        return None
    return person.rng.choice(wordings)


def answered_in_english(survey: Survey, rows: list[Row], seed: int) -> tuple[list[Row], list[Row]]:
    """A few respondents of some groups answer in English: their group's criteria in English, open answers
    without an English version left blank (they are optional). Returns (the other rows, the English rows)."""
    if survey.default_language != "fr" or "en" not in survey.languages:
        return rows, []
    rng = random.Random(seed + 1)
    english_of = {w: c.english for c in GROUP_CRITERIA for words in c.wordings.values() for w in words}
    open_ids = {question.id for question in survey.questions if question.is_open and not question.required}
    kept, english = [], []
    for row in rows:
        round_name, group, answers = row
        profile = profile_for(group).keywords[:1]
        rate = ENGLISH_RATES.get(profile[0] if profile else "", 0.0)
        if not any(answers.get(q) in english_of for q in open_ids) or rng.random() >= rate:
            kept.append(row)
            continue
        translated = {key: value for key, value in answers.items() if key not in open_ids}
        translated |= {q: english_of[answers[q]] for q in open_ids if answers.get(q) in english_of}
        english.append((round_name, group, translated))
    return kept, english


def link_demo_criteria(db: Database, survey: Survey, at: str) -> int:
    """Link the approved demo criteria to the indicators they speak of (those the survey has)."""
    from coresp_survey.workspace import links
    from coresp_survey.workspace.moderation import open_answers

    known = {indicator.id for indicator in survey.indicators}
    indicators_of = dict(POOL_INDICATORS)
    for criterion in GROUP_CRITERIA:
        for text in (*(w for words in criterion.wordings.values() for w in words), criterion.english):
            indicators_of[text] = criterion.indicators
    by_indicators: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    decided = decisions.decisions(db, survey.id)
    for answer in open_answers(survey, responses.iter_responses(db, survey.id), decided):
        wanted = tuple(i for i in indicators_of.get(answer.text, ()) if i in known)
        if answer.status == "approved" and wanted:
            by_indicators.setdefault(wanted, []).append((answer.response_id, answer.question))
    return sum(
        links.link(db, survey=survey.id, answers=keys, indicators=list(wanted), at=at, by=None)
        for wanted, keys in by_indicators.items()
    )


# -- group sessions, as a school would hold them ------------------------------------------

DEMO_SESSIONS = {
    "college-bien-etre": (
        {
            "group": "eleves",
            "label": "5e B, heure de vie de classe",
            "date": "2026-01-20",
            "participants": 11,
            "note": "Cartes écrites seules d'abord, puis mises en commun. Beaucoup ont parlé de la cantine.",
            "criteria": (
                ("bien_etre", "fr", "Avoir une place à la cantine avec ses copains", ("D",)),
                ("bien_etre", "fr", "Quand les profs expliquent encore si on n'a pas compris", ("C", "F")),
                ("bien_etre", "fr", "Un coin calme au CDI pour lire", ("B",)),
                ("bien_etre", "en", "Feeling that nobody laughs at you", ("D", "G")),
                ("mal_etre", "fr", "La queue trop longue à la cantine, on mange en 10 minutes", ("A", "B")),
                ("mal_etre", "fr", "Les toilettes fermées à clé l'après-midi", ("A",)),
                ("mal_etre", "fr", "Se faire bousculer dans les escaliers", ("B", "E")),
                ("mal_etre", "en", "When the group chat is mean about someone", ("D", "E")),
                ("agir_soi", "fr", "Ranger mon plateau et ne pas gaspiller", ("A",)),
                ("agir_soi", "fr", "Aller vers ceux qui sont seuls à la récré", ("D",)),
                ("agir_autres", "fr", "Ouvrir une deuxième file à la cantine", ("A", "B")),
                ("agir_autres", "fr", "Des délégués qui remontent nos idées au conseil", ("C",)),
            ),
            "approve": 9,
        },
        {
            "group": "parents",
            "label": "Réunion du conseil des parents",
            "date": "2026-02-03",
            "participants": 7,
            "note": "Deux parents anglophones ont écrit en anglais.",
            "criteria": (
                ("bien_etre", "fr", "Un enfant qui a envie d'aller au collège le matin", ("D", "G")),
                ("bien_etre", "fr", "Être prévenu vite quand il y a un souci", ("C",)),
                ("bien_etre", "en", "Teachers who know my child by name", ("C", "D")),
                ("mal_etre", "fr", "Des devoirs donnés tard sur l'ENT le soir", ("F",)),
                ("mal_etre", "fr", "Le trajet à pied le long de la départementale", ("B",)),
                ("mal_etre", "en", "Not knowing who to ask when something goes wrong", ("C",)),
                ("agir_soi", "fr", "Venir aux réunions même quand tout va bien", ("C", "G")),
                ("agir_autres", "fr", "Un pédibus organisé avec la mairie", ("B", "G")),
                ("agir_autres", "en", "A short newsletter in plain words each month", ("C",)),
            ),
            "approve": 7,
        },
    ),
}
"""Two recorded group sessions of the school survey: what pupils and parents wrote on their cards, and what the
coordination group approved of it so far (the first ``approve`` criteria; the others wait in the workspace)."""


SESSION_INDICATORS = {
    "Avoir une place à la cantine avec ses copains": ("repas", "relations_eleves"),
    "Quand les profs expliquent encore si on n'a pas compris": ("relations_adultes", "suivi_scolarite"),
    "Un coin calme au CDI pour lire": ("temps_repos",),
    "Feeling that nobody laughs at you": ("harcelement", "relations_eleves"),
    "La queue trop longue à la cantine, on mange en 10 minutes": ("repas",),
    "Les toilettes fermées à clé l'après-midi": ("toilettes",),
    "Se faire bousculer dans les escaliers": ("securite",),
    "When the group chat is mean about someone": ("harcelement",),
    "Ranger mon plateau et ne pas gaspiller": ("repas",),
    "Un enfant qui a envie d'aller au collège le matin": ("plaisir_venir",),
    "Être prévenu vite quand il y a un souci": ("information", "relations_familles"),
    "Teachers who know my child by name": ("relations_adultes", "relations_familles"),
    "Des devoirs donnés tard sur l'ENT le soir": ("charge_devoirs",),
    "Le trajet à pied le long de la départementale": ("securite",),
    "Not knowing who to ask when something goes wrong": ("information",),
    "Venir aux réunions même quand tout va bien": ("participation", "relations_familles"),
}
"""The indicators the coordination group linked the approved session criteria to (those the survey has)."""


def record_demo_sessions(db: Database, survey: Survey, at: str) -> tuple[int, int]:
    """Record the survey's demo sessions, approve some of their criteria and link those to the indicators they
    speak of; (sessions, approved) recorded.

    Does nothing if the survey already has sessions, so a second demo run changes nothing.
    """
    from coresp_survey.workspace import links
    from coresp_survey.workspace import sessions

    planned = DEMO_SESSIONS.get(survey.id, ())
    if not planned or sessions.list_sessions(db, survey.id):
        return 0, 0
    known = {indicator.id for indicator in survey.indicators}
    approved = 0
    for plan in planned:
        criteria = [(question, lang, text) for question, lang, text, _families in plan["criteria"]]
        session_id = sessions.record_session(
            db, survey=survey.id, group=plan["group"], label=plan["label"], date=plan["date"],
            participants=plan["participants"], note=plan["note"], criteria=criteria, by=None, at=at,
        )  # fmt: skip
        recorded = sessions.get_session(db, session_id)
        for criterion, (_q, _lang, _text, families) in list(zip(recorded.criteria, plan["criteria"], strict=True))[
            : plan["approve"]
        ]:
            key = [(criterion.id, criterion.question)]
            approved += decisions.decide(db, survey=survey.id, answers=key, status="approved", families=families, at=at)
            wanted = [i for i in SESSION_INDICATORS.get(criterion.text, ()) if i in known]
            links.link(db, survey=survey.id, answers=key, indicators=wanted, at=at, by=None)
    return len(planned), approved
