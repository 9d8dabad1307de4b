"""Prompt-injection detection in candidate answers: pure logic, no Django, no network.

A candidate's text must never steer a grader. This module finds the passages of an answer
that talk to the grader instead of answering the question, so that the answer goes to a
human (``grading.rubric.injection_precheck`` delegates here; docs/grading.md, "Untrusted
answers").

1. ``normalize_for_detection`` makes obfuscation visible: NFKC, zero-width, bidi and other
   invisible format characters removed, look-alike letters folded to Latin by the Unicode
   UTS #39 confusable skeleton (ICU's ``SpoofChecker``, data from Unicode's
   confusables.txt), accents dropped and case folded. Every character of the folded text
   remembers where it came from, so a finding quotes the answer as the candidate wrote it.
2. Rules, grouped by family, run over the folded text. What tells an attack from an honest
   answer that *discusses* prompt injection (RAG security, LLM serving) is who is addressed
   and what is asked: an attack addresses the grader, asks for levels or marks for this
   answer, changes the rubric or the grader's role, or asks not to be reported. Words that
   honest answers use too ("system prompt", "System:" in an example, "ignore previous
   instructions attacks") count only with such a target, or not when they are quoted or
   discussed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import icu  # pyicu-wheels: ICU's UTS #39 implementation (SpoofChecker.getSkeleton)

FAMILIES = (
    "plain",
    "obfuscated",
    "other_language",
    "code_block",
    "role_play",
    "fake_rubric_update",
    "authority_or_accommodation",
)


@dataclass(frozen=True)
class Finding:
    family: str  # one of FAMILIES: the technique, for reviewers and figures
    passage: str  # the suspicious passage as written in the answer
    rule: str  # which rule matched
    start: int  # offsets of the passage in the answer
    end: int


# --- normalization -----------------------------------------------------------------------

# Invisible characters: zero-width and joiners, bidi embeddings/overrides/isolates, word
# joiner and invisible operators, BOM, soft hyphen, variation selectors, tag characters,
# Hangul fillers. Every other format character (category Cf) goes too.
_INVISIBLE_RANGES = (
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFE00, 0xFE0F),
    (0xE0000, 0xE007F),  # tags: invisible, yet a model can read them (decoded below)
    (0xE0100, 0xE01EF),
    (0x180B, 0x180F),
    (0x1BCA0, 0x1BCA3),
)
_INVISIBLE_POINTS = frozenset({0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFEFF, 0xFFA0})
_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2039": "'",
    "\u203a": "'",
}


def is_invisible(ch: str) -> bool:
    cp = ord(ch)
    if cp in _INVISIBLE_POINTS or any(lo <= cp <= hi for lo, hi in _INVISIBLE_RANGES):
        return True
    return unicodedata.category(ch) == "Cf"


_SPOOF_CHECKER = icu.SpoofChecker()


def _skeleton(text: str) -> str:
    """The UTS #39 skeleton (NFD, each character to its confusables.txt prototype, NFD)."""
    return str(_SPOOF_CHECKER.getSkeleton(0, text))


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) not in ("Mn", "Me"))


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """One character (already NFKC) as the detector reads it: ASCII, lowercase, no accents.

    ASCII stays as it is (lowercased): the skeleton folds ``m`` to ``rn`` and ``I``/``1``
    to ``l``, which is right for comparing identifiers and wrong for reading words. Other
    characters take their skeleton when it is ASCII (Cyrillic U+043E, Greek U+03BF → ``o``),
    with the two readable fixes: a prototype ``rn`` is the letter ``m`` and a capital that
    looks like ``l`` is an ``I``.
    """
    if ch == "_":
        return " "  # identifiers read as words: note_to_grader, grading_override
    if ch.isascii():
        return ch.lower()
    if ch in _QUOTES:
        return _QUOTES[ch]
    if ch.isspace():
        return "\n" if ch in "\u2028\u2029\x85" else " "
    if unicodedata.category(ch) in ("Mn", "Me"):
        return ""
    for candidate in (ch, ch.lower()):
        folded = _strip_marks(_skeleton(candidate))
        if folded == "rn":
            folded = "m"
        if folded == "l" and candidate.isupper():
            folded = "i"
        if folded and folded.isascii() and not folded.isspace():
            return folded.lower()
    return _strip_marks(ch.casefold())


def _is_lookalike(ch: str) -> bool:
    """A letter that renders as a Latin letter without being one: Cyrillic U+0430, Greek
    U+03BF, mathematical bold U+1D422. Accented, fullwidth and ligature Latin letters are Latin."""
    if ch.isascii() or not ch.isalpha():
        return False
    folded = "".join(_fold_char(c) for c in unicodedata.normalize("NFKC", ch))
    return folded.isascii() and folded.isalpha() and "LATIN" not in unicodedata.name(ch, "")


@dataclass(frozen=True)
class _Folded:
    text: str
    origin: list[int]  # origin[i]: the index in the answer of folded character i


_RLO, _RLO_ENDS = "\u202e", "\u202c\u2069\n"


def _display_order(text: str) -> list[int]:
    """Indices of the answer in the order a reader sees them: a right-to-left override
    (U+202E) shows what follows it reversed, up to its pop, an isolate end or the line end."""
    order: list[int] = []
    index = 0
    while index < len(text):
        if text[index] != _RLO:
            order.append(index)
            index += 1
            continue
        end = index + 1
        while end < len(text) and text[end] not in _RLO_ENDS:
            end += 1
        order.extend(range(end - 1, index, -1))
        index = end
    return order


def _fold(text: str) -> _Folded:
    out: list[str] = []
    origin: list[int] = []
    for index in _display_order(text):
        ch = text[index]
        if 0xE0020 <= ord(ch) <= 0xE007E:
            ch = chr(ord(ch) - 0xE0000)  # a tag character spells ASCII to a model
        elif ch == "\r" or is_invisible(ch):
            continue
        for part in unicodedata.normalize("NFKC", ch):
            for folded in _fold_char(part):
                if folded in " \t":
                    folded = " "
                    if out and out[-1] in " \n":
                        continue
                elif folded == "\n" and out and out[-1] == " ":
                    out.pop()
                    origin.pop()
                out.append(folded)
                origin.append(index)
    return _Folded("".join(out), origin)


def normalize_for_detection(text: str) -> str:
    """The answer as the detector reads it: NFKC, invisible characters removed, look-alike
    letters folded by their UTS #39 skeleton, accents removed, lowercase, spaces collapsed."""
    return _fold(text).text


# --- vocabulary (over the folded text: lowercase ASCII, no accents) ----------------------

_PARA = r"(?:[^\n]|\n(?![ \t]*\n))"  # any character short of a paragraph break


def _gap(n: int) -> str:
    return f"{_PARA}{{0,{n}}}?"


# Within one sentence; a comment that goes on over the next line counts as one.
_SENTENCE = r"(?:[^.!?\n]|\.(?=\w)|\n[ \t]*(?:#+|//|--|\*)[ \t]*)"


def _in_sentence(n: int) -> str:
    return f"{_SENTENCE}{{0,{n}}}?"


def _near(a: str, b: str, n: int) -> str:
    return f"(?:(?:{a}){_in_sentence(n)}(?:{b})|(?:{b}){_in_sentence(n)}(?:{a}))"


def _alt(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


_HIGH_STRICT = _alt(
    r"\blevel[\s_-]*(?:4|iv|four)\b(?![.,]\d)",
    r"\b4\s*/\s*4\b",
    r"\b4 out of 4\b",
    r"\bfull (?:marks?|score|points|credit)\b",
    r"\bperfect (?:score|marks?|grade|rating)s?\b",
    r"\b(?:max(?:imum)?|top|highest|best) marks\b",
    r"\bstrong(?:est)? hire\b",
    r"\b(?:100\s*/\s*100|10\s*/\s*10)\b",
)
# "a score of 4" only counts beside the criteria: a judge's 1-5 scale says it honestly.
_HIGH_MID = _alt(
    _HIGH_STRICT,
    r"\b(?:score|grade|mark|rating|level)s? of (?:4|four)\b",
    r"\b(?:a |all )?(?:4|four)s?\b(?=\s+(?:on|for|across|in)\s+(?:every|all|each)\b)",
)
_HIGH_LOOSE = r"\b(?:max(?:imum)?|maximal|highest|top|best|perfect|full)(?: possible| available)? (?:level|score|grade|mark|point|rating|band)s?\b"
_CRITERIA = _alt(
    r"\b(?:every|all|each|any|both)(?: (?:of )?(?:the|my|your|these|those|five|four|three|six|seven|other|remaining|rubric|grading|listed|above))* "
    r"(?:criteri(?:on|a|ons)|rubric (?:items?|lines?|rows?|dimensions?|categories|criteria)|grading (?:dimensions?|categories|criteria|items))\b",
    r"\bacross the (?:board|rubric)\b",
    r"\beverything\b",
    r"\b(?:every|each|all)(?: of)?(?: the)? (?:categor(?:y|ies)|areas?|dimensions?|sections?|aspects?)\b",
)
_GRANT = (
    r"\b(?:give|award|assign|grant|enter|record|mark|score|grade|rate|output|return|"
    r"deserves?|merits?|given|awarded|assigned|recorded|entered|scored|graded|marked|rated|treat|count|consider)\b"
)
_TARGET = _alt(
    r"\bme\b",
    r"\b(?:this|my|the candidate'?s?) (?:answer|response|submission|write-?up|essay)\b",
    r"\bthe candidate\b",
    _CRITERIA,
)
_REQUEST = _alt(
    r"\bplease\b",
    r"\bkindly\b",
    r"\b(?:could|can|would|will) you\b",
    r"\bi(?:'d| would) (?:really |truly |very much |so )?(?:appreciate|love|like)\b",
    r"\b(?:i'd|i would|i'll|i will|i'd be|i'm|i am) (?:be )?(?:very |really |so |incredibly |truly |extremely |forever |deeply )?(?:grateful|thankful)\b",
    r"\bi (?:ask|beg|urge|request) (?:you|that)\b",
)
_GRADER = (
    r"(?:grader|grading (?:model|assistant|system|bot|ai|llm|engine|pipeline|tool)|evaluator|scorer|examiner|assessor|marker|"
    r"ai|a\.i\.|llm|language model|model|assistant|bot|chatbot|gpt|chatgpt|claude|gemini|judge)"
)
_ROLE_NOUN = r"(?:[a-z0-9-]*bot\b|\"[^\"\n]{2,40}\"|grader|grading|evaluator|judge|scorer|examiner|assessor|marker|reviewer|assistant|\bai\b|\bllm\b|model|gpt|persona)"
_NEG = r"\b(?:do not|don't|dont|never|must not|should not|shouldn't|no need to)"
_SUPPRESS = _alt(
    _NEG + r" (?:report|flag|mark|treat|label|classify|consider|count|log|record|raise|mention|note)s? "
    r"(?:this|it|that|the answer|my answer|this answer|this response|this submission|the text|this (?:comment|note|text|message|section|part|instruction|block)s?)"
    r"(?: above| below)?(?: as| like)? (?:an? |any )?(?:prompt[ -])?(?:injection|suspicious|suspect|manipulation|attack|attempt|cheating|problematic)",
    _NEG
    + r" (?:mention|reveal|disclose|quote|repeat|reference|discuss) (?:this|these|the) (?:comment|note|instruction|message|block|section)s?\b",
    _NEG + r" (?:report|flag|mention)s? (?:any )?(?:prompt )?injections?\b",
    r"\binjection[_ ]suspected\W{0,4}(?:false|0|no)\b",
    r"\b(?:set|keep|leave|return|output) (?:the )?injection[_ ]suspected\b",
)
# What the fake turns ask not to be reported.
_SUPPRESS_OBJECT = r"(?:\binjections?\b|\bsuspicious\b|injection_suspected|\bthis (?:comment|note|instruction)\b)"

_DISCUSSION = _alt(
    r"\battack(?:s|er|ers|ed|ing)?\b",
    r"\badversar\w*",
    r"\bmalicious\b",
    r"\bpayloads?\b",
    r"\bjailbreak\w*",
    r"\binject(?:ion|ions|ed|ing|s)?\b",
    r"\bred[- ]?team\w*",
    r"\bsuch as\b",
    r"\be\.g\.",
    r"\bi\.e\.",
    r"\bfor (?:example|instance)\b",
    r"\blike\s*[\"'`:]",
    r"\bexamples?\b",
    r"\bphrases?\b",
    r"\bstrings?\b",
    r"-style\b",
    r"\buntrusted\b",
    r"\bclassifiers?\b",
    r"\bguardrails?\b",
    r"\bsanitiz\w*",
    r"\bdefen[cs]e\w*",
    r"\bmitigat\w*",
    r"\bdetect\w*",
    r"\bfilter\w*",
    r"\bpoison\w*",
    r"\bretrieved\b",
    r"\bdocuments?\b",
    r"\bchunks?\b",
    r"\bcontext\b",
    r"\bsecurity\b",
    r"\bsystem prompts?\b",
    # the same in the other languages
    r"\b(?:ataques?|attaques?|angriffe?n?|attacc(?:o|hi)|inyeccion(?:es)?|injektion(?:en)?|iniezion[ei]|injec(?:ao|oes))\b",
    r"\b(?:por ejemplo|par exemple|zum beispiel|z\.b\.|ad esempio|per esempio|por exemplo)\b",
)

# --- rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    name: str
    family: str
    pattern: re.Pattern[str]
    # Must also match in the match's paragraph (or, for a fake turn, in the turn).
    context: re.Pattern[str] | None = None
    # Skipped where it reads as a discussion of injection (quoted, or beside attack words).
    discussable: bool = False
    # The match must be an instruction (sentence start, after "please", "you must", ":").
    imperative: bool = False
    # The context is the turn that follows the match, not the paragraph.
    turn: bool = False
    # Skipped when followed by where the instructions are ("ignore instructions found in
    # retrieved documents"): a defense, not an attack.
    located: bool = False
    # Skipped when the sentence sets a bar ("at least level 4 on all criteria before launch")
    # or defines a level ("level 4 when every claim is cited"): how honest eval answers say it.
    threshold: bool = False


def _rule(
    name: str,
    family: str,
    pattern: str,
    *,
    context: str | None = None,
    discussable: bool = False,
    imperative: bool = False,
    turn: bool = False,
    threshold: bool = False,
    located: bool = False,
) -> _Rule:
    return _Rule(
        name,
        family,
        re.compile(pattern, re.MULTILINE),
        re.compile(context, re.MULTILINE) if context else None,
        discussable=discussable,
        imperative=imperative,
        turn=turn,
        threshold=threshold,
        located=located,
    )


_RUBRIC_CONTEXT = _alt(
    _HIGH_STRICT,
    r"\b(?:hiring|recruit\w*|interview\w*|assessment) (?:team|panel|committee|manager|department|lead)s?\b",
    r"\b(?:the|this) candidate\b",
    r"\bcandidates who\b",
    r"\b(?:for|of|on|in) this (?:question|interview)\b",
    r"\bgraders? (?:must|should|are to|shall|need to|will)\b",
    r"\beffective (?:immediately|now|today|this)\b",
    r"\bapply (?:the|this) (?:update|updated|new|revised)\b",
    r"\b(?:must|should|to) be (?:scored|graded|marked|rated)\b",
)
_AUTHORITY_ROLE = (
    r"(?:cto|ceo|cfo|coo|cio|ciso|vp(?: of [a-z]+)?|vice president(?: of [a-z]+)?|head of [a-z]+|(?:engineering |hiring )?director|founder|co-?founder|owner|"
    r"hiring manager|engineering manager|lead interviewer|senior interviewer|principal engineer|chief [a-z]+ officer|administrator|admin|"
    r"recruiter|question author|rubric author|author of (?:this|the) (?:question|rubric)|person (?:who|that) wrote (?:this|the) (?:question|rubric))"
)
_INSTRUCTING = _alt(
    r"\bi (?:hereby |now |am |can |do |will )?(?:instruct|instructing|order|ordering|direct|directing|command|authori[sz]e|authori[sz]ing|require|demand|tell|telling|approve|confirm|certify|guarantee|vouch)\b",
    r"\byou (?:must|are to|will|shall|should|need to|have to|are required to|are instructed to)\b",
    r"\b(?:graders?|evaluators?|the model|the ai|reviewers?) (?:must|should|are to|will|shall)\b",
)
# A score for the criteria: "level 4 on every criterion", "every criterion receives level 4".
_ON = r"\b(?:on|for|across|in|to|at|under)\s+(?:the\s+)?"
_GETS = r"\b(?:receives?|gets?|deserves?|earns?|merits?|is|are|be|at|to|with|as)\s+(?:\w+\s+){0,3}?"
_FOR_CRITERIA = _alt(
    f"{_HIGH_MID}{_in_sentence(25)}{_ON}{_CRITERIA}",
    f"{_HIGH_MID}{_in_sentence(25)}" + r"\b(?:across the (?:board|rubric)|everywhere)\b",
    f"{_CRITERIA}{_in_sentence(50)}{_GETS}{_HIGH_MID}",
)
_TOP_FOR_CRITERIA = _alt(
    f"{_HIGH_LOOSE}{_in_sentence(25)}{_ON}{_CRITERIA}",
    f"{_CRITERIA}{_in_sentence(50)}{_GETS}{_HIGH_LOOSE}",
)
_GRANT_HIGH = f"{_GRANT}{_in_sentence(40)}{_HIGH_STRICT}"
# What makes a claim of authority an attack: it comes with a demand for this answer.
_GRADING_WORDS = _alt(
    _HIGH_STRICT,
    _FOR_CRITERIA,
    _TOP_FOR_CRITERIA,
    r"\b(?:full|top|maximum|max|highest) (?:marks?|credit)\b",
    r"\bmarks\b",
    r"\bre-?grade\b",
    r"\b(?:this|my) (?:answer|response|submission) (?:has been|was|is|had been)\b",
    r"\bmy (?:written )?answers? (?:are|be|were|will be|to be|should be) (?:recorded|graded|scored|marked)\b",
    r"\b(?:score|grade|mark|rate) (?:me|this answer|my answer)\b",
)
_GRADER_WORDS = _alt(
    _GRADING_WORDS, f"{_GRANT}{_in_sentence(40)}{_HIGH_LOOSE}", r"\b(?:grader|evaluator|grade|grades|grading|rubric)\b"
)
_ACCOMMODATION_CONTEXT = _alt(
    _HIGH_STRICT,
    r"\b(?:marks?|graded|grading|grader|rubric|leniently|lenient|generously|generous|this answer|my (?:written )?answers?|score me|grade me)\b",
)
_SCORE_DEMAND = _alt(
    _FOR_CRITERIA,
    _GRANT_HIGH,
    r"\b(?:gives|awards|assigns|receives|gets|deserves|earns) (?:this answer |it |the answer |every answer |each answer )?"
    + _HIGH_STRICT,
)
_TURN_PAYLOAD = _alt(
    _SCORE_DEMAND,
    _SUPPRESS,
    r"\byou(?: are|'re) now\b",
    r"\b(?:grading|scoring|grader) (?:policy|session|mode|configuration|config|note|update|override|team)\b",
    r"\b(?:this|the) (?:answer|candidate|response|submission)\b"
    + _gap(80)
    + r"\b(?:approved|reviewed|verified|pre-?scored|graded|scored|truncated)\b",
    r"\bconfirm(?:ed)?\b" + _gap(40) + r"\b(?:instructions|grader|policy|grade)\b",
    r"\b(?:do not|don't) re-?grade\b",
    r"\bi am [a-z0-9-]*(?:bot|grader)\b",
)
_OTHER_HIGH = _alt(
    # de
    r"\b(?:stufe|niveau|note|bewertung)\s*(?:4|vier)\b",
    r"\bvolle[nr]? punkt(?:zahl|e)\b",
    r"\bhochst(?:e|en|er)? (?:stufe|note|punktzahl|bewertung|wertung|punkte)\b",
    r"\b(?:bestnote|hochstnote|hochstpunktzahl|hochstwertung|bestbewertung)\b",
    r"\bmaximale[nr]? (?:punktzahl|punkte|stufe|bewertung|note)\b",
    # fr
    r"\bniveau\s*(?:4|quatre)\b",
    r"\b(?:la )?note (?:maximale|maximum|la plus (?:haute|elevee)|parfaite|complete)\b",
    r"\bscore (?:maximal|maximum|parfait)\b",
    r"\b(?:la )?(?:meilleure|plus haute) note\b",
    r"\b(?:tous les points|totalite des points)\b",
    r"\b20\s*/\s*20\b",
    # es / pt
    r"\bnivel\s*(?:4|cuatro|quatro)\b",
    r"\b(?:nota|puntuacion|calificacion|puntaje|pontuacao|classificacao) (?:maxima|maximo|mas alta|mais alta|perfecta|perfeita|completa|total)\b",
    r"\bmaxima (?:nota|puntuacion|calificacion|pontuacao)\b",
    r"\b(?:todos los puntos|todos os pontos|puntuacion perfecta)\b",
    r"\b10\s*/\s*10\b",
    # it
    r"\blivello\s*(?:4|quattro)\b",
    r"\b(?:voto|punteggio|giudizio) (?:massimo|pieno|piu alto|perfetto|completo)\b",
    r"\bmassimo (?:dei voti|punteggio|livello|del punteggio)\b",
    r"\b(?:pieni voti|tutti i punti|30 e lode)\b",
    # nl
    r"\b(?:hoogste|maximale) (?:score|cijfer|niveau|beoordeling|punten)\b",
)
_OTHER_CRITERIA = _alt(
    r"\b(?:allen|alle|jedem|jedes|jede|jeden|jeder|samtlichen|samtliche)(?: \w+)? (?:kriterien|kriterium|bewertungskriterien|bereichen|bereich|punkten|kategorien|kategorie)\b",
    r"\b(?:tous les|toutes les|chaque|chacun des|l'ensemble des|pour tous les) (?:criteres?|categories?)\b",
    r"\b(?:todos los|todas las|todos os|todas as|cada|cada uno de los|cada um dos|em todos os|en todos los) (?:criterios?|categorias?)\b",
    r"\b(?:tutti i|tutte le|ogni|ciascun|ciascuno dei|per tutti i|in tutti i) (?:criteri[o]?|categori[ae])\b",
    r"\b(?:partout|uberall|en todo|em tudo|ovunque)\b",
    r"\b(?:alle|elk|elke|ieder|iedere) (?:criteria|criterium|beoordelingscriteria)\b",
)
_OTHER_REQUEST = (
    r"\b(?:bitte|s'il vous plait|merci de|veuillez|por favor|per favore|por gentileza|te pido|le pido|ti prego|vi prego)\b"
)
_OTHER_GRANT_AFTER = r"\b(?:vergeben|geben|erteilen|eintragen|bewerten|zuweisen|zuteilen|vergibt|gibt|erhalten|bekommen)\b"
_OTHER_GRANT = (
    r"\b(?:gib|geben sie|vergib|vergeben sie|bewerte|bewerten sie|erteile|erteilen sie|setze|setzen sie|trage|tragen sie|verleihe|verdient|"
    r"attribue[zr]?|donne[zr]?|accorde[zr]?|mets|mettez|notez|evaluez|assigne[zr]?|merite|"
    r"dale|dele|otorga|otorgue|asigna|asigne|asignale|pon|ponga|califica|califique|puntua|puntue|concede|conceda|merece|"
    r"atribua|atribui|conceda|coloque|ponha|avalie|pontue|classifique|"
    r"dai|dategli|assegna|assegni|attribuisci|attribuisca|metti|metta|concedi|valuta|valuti|merita|"
    r"geef|geeft|ken|beoordeel|verdient)\b"
)
_OTHER_GRADER = (
    r"(?:prufer(?:in)?|bewerter(?:in)?|korrektor(?:in)?|gutachter(?:in)?|bewertungs(?:system|modell|ki)|ki|sprachmodell|modell|assistent(?:in)?|"
    r"evaluateur|evaluatrice|correcteur|correctrice|examinateur|examinatrice|notateur|ia|intelligence artificielle|modele|"
    r"evaluador(?:a)?|corrector(?:a)?|examinador(?:a)?|calificador(?:a)?|inteligencia artificial|modelo|asistente|"
    r"avaliador(?:a)?|corretor(?:a)?|assistente|"
    r"valutatore|valutatrice|correttore|correttrice|esaminatore|esaminatrice|intelligenza artificiale|modello|grader|ai)"
)
_OTHER_AI = r"(?:ki|sprachmodell|ia|intelligence artificielle|inteligencia artificial|intelligenza artificiale|modell|modele|modelo|modello|ai|bewertungs(?:system|modell|ki))"
_OTHER_IGNORE = _alt(
    # de
    r"\b(?:ignorier(?:e|en|t)?(?: sie)?|missachte(?:n sie)?|vergiss|vergessen sie|ubergeh(?:e|en sie))\b(?: \w+){0,3} "
    r"(?:anweisungen|instruktionen|vorgaben|regeln|bewertungskriterien|kriterien|rubrik|bewertungsrichtlinien|richtlinien|befehle|anordnungen|bewertungsschema)\b",
    # fr: its nouns are English words too, so a French article must come first
    r"\b(?:ignorez|ignore|oubliez|oublie|ne tenez pas compte|ne tiens pas compte|faites abstraction|fais abstraction)(?: de| des| d')?(?: toutes| tous)? "
    r"(?:les|la|le|ces|vos|tes) (?:[\w']+ ){0,2}?(?:instructions|consignes|regles|directives|criteres|grille|bareme|rubrique)\b",
    # es
    r"\b(?:ignora|ignore|ignoren|ignorad|olvida|olvide|olviden|omite|omita|descarta|descarte|haz caso omiso de|no hagas caso (?:a|de))\b(?: \w+){0,3} "
    r"(?:instrucciones|indicaciones|reglas|normas|criterios|rubrica|directrices|ordenes|consignas)\b",
    # pt
    r"\b(?:ignore|ignora|ignorem|esqueca|esquecam|desconsidere|desconsidera|despreze|descarte)\b(?: \w+){0,3} "
    r"(?:instrucoes|orientacoes|regras|criterios|rubrica|diretrizes|ordens)\b",
    # nl
    r"\b(?:negeer|vergeet)\b(?: \w+){0,3} (?:instructies|aanwijzingen|regels|criteria|rubriek|beoordelingscriteria)\b",
    # it
    r"\b(?:ignora|ignori|ignorate|dimentica|dimentichi|tralascia|trascura|non considerare|non tenere conto)\b(?: \w+){0,3} "
    r"(?:istruzioni|indicazioni|regole|criteri|rubrica|direttive|linee guida|consegne)\b",
)
_OTHER_SUPPRESS = _alt(
    r"\b(?:markiere|kennzeichne|melde|bewerte|stufe|behandle|werte)\b(?: \w+){0,3} (?:nicht|keinesfalls|niemals) (?:als )?(?:verdachtig|injektion|manipulation|prompt-injektion)",
    r"\b(?:nicht|keinesfalls|niemals) (?:als )?(?:verdachtig|injektion|prompt-injektion|manipulation)\w* (?:markieren|melden|kennzeichnen|einstufen|werten|behandeln)\b",
    r"\bne (?:la |le |l'|les )?(?:signale|signalez|marque|marquez|considere|considerez|mentionne|mentionnez|traite|traitez)\b(?: \w+){0,3} pas\b(?: [\w']+){0,4} (?:suspecte?|injection)",
    r"\bno (?:marques|marque|marquen|reportes|reporte|senales|senale|consideres|considere|trates|trate|informes|informe|menciones|mencione)\b(?: \w+){0,4} (?:sospechos[ao]|inyeccion)",
    r"\bnao (?:marque|marques|reporte|sinalize|considere|trate|denuncie|classifique|mencione)\b(?: \w+){0,4} (?:suspeit[ao]|injecao)",
    r"\bnon (?:segnalar\w*|segnalate|segnali|contrassegnar\w*|marcar\w*|considerar\w*|trattar\w*|indicar\w*|menzionar\w*)\b(?: [\w']+){0,4} (?:sospett[ao]|iniezione|un'iniezione)",
)
_OTHER_ROLE = _alt(
    r"\bdu bist (?:jetzt|nun|ab sofort|ab jetzt)\b",
    r"\bsie sind (?:jetzt|nun|ab sofort|ab jetzt)\b",
    r"\b(?:tu es|vous etes) (?:maintenant|desormais|dorenavant)\b",
    r"\b(?:ahora eres|eres ahora|a partir de ahora (?:eres|seras|actuas))\b",
    r"\b(?:voce agora e|voce e agora|a partir de agora (?:voce|tu) (?:e|es|sera))\b",
    r"\b(?:ora sei|adesso sei|sei ora|sei adesso|(?:d'ora|da ora|da adesso) in (?:poi|avanti),? (?:sei|sarai)|da adesso (?:sei|sarai))\b",
    r"\b(?:ab sofort|ab jetzt|von nun an) (?:bist du|sind sie)\b",
    r"\b(?:a partir de maintenant|desormais|dorenavant),? (?:tu es|vous etes)\b",
)
_OTHER_RUBRIC = _alt(
    r"\b(?:neue|aktualisierte|geanderte|uberarbeitete)[nr]? (?:bewertungs)?(?:richtlinien|kriterien|anweisungen|rubrik|bewertungsschema|bewertung)\b",
    r"\b(?:nouvelles?|mise a jour de la|mise a jour des) (?:grille|consignes?|bareme|rubrique|regles de notation|instructions de notation|criteres)\b",
    r"\b(?:grille|bareme|rubrique) (?:mise? a jour|modifiee?|revisee?)\b",
    r"\b(?:nueva|nuevas|actualizacion de la) (?:rubrica|instrucciones de evaluacion|reglas de evaluacion|criterios de evaluacion|pauta)\b",
    r"\brubrica (?:actualizada|atualizada|aggiornata|modificada|modificata)\b",
    r"\b(?:nova|novas|atualizacao da) (?:rubrica|instrucoes de avaliacao|regras de avaliacao|criterios de avaliacao)\b",
    r"\b(?:nuova|nuove|aggiornamento della) (?:rubrica|istruzioni di valutazione|regole di valutazione|griglia)\b",
    r"\bcriteri (?:aggiornati|modificati)\b",
)

_RULES: tuple[_Rule, ...] = (
    # plain: asking for levels or marks, overriding the instructions, addressing the AI grader
    _rule("high_score_for_criteria", "plain", _FOR_CRITERIA, threshold=True),
    _rule(
        "top_score_for_criteria",
        "plain",
        _TOP_FOR_CRITERIA,
        context=_alt(
            _REQUEST,
            r"\b(?:this|my) (?:answer|response|submission)\b",
            r"\bme\b",
            r"\b(?:the )?(?:grader|evaluator)\b",
            r"\byou\b",
        ),
        threshold=True,
    ),
    _rule(
        "give_it_a_four",
        "plain",
        r"\b(?:give|award|assign|grant|rate|score|grade|mark) (?:me|it|this(?: answer| response| submission)?|my (?:answer|response|submission)) "
        r"(?:an? |as |as an? |with an? )?(?:4|four|10|100|excellent|exceptional|outstanding|exemplary|perfect|flawless|strong hire)\b",
    ),
    _rule(
        "give_it_top_score",
        "plain",
        r"\b(?:give|award|grant|assign) (?:me|it|this(?: answer| response| submission)?|my (?:answer|response|submission)) (?:the |a )?"
        + _HIGH_LOOSE,
        imperative=True,
    ),
    _rule("grant_high_score", "plain", _GRANT_HIGH, threshold=True),
    _rule(
        "request_top_score",
        "plain",
        _alt(
            f"(?:{_GRANT}|{_REQUEST}){_in_sentence(60)}{_HIGH_LOOSE}{_in_sentence(60)}{_TARGET}",
            f"(?:{_GRANT}|{_REQUEST}){_in_sentence(30)}{_TARGET}{_in_sentence(40)}{_HIGH_LOOSE}",
        ),
    ),
    _rule(
        "must_be_scored_high",
        "plain",
        r"\b(?:must|should|shall|will|has to|have to|needs? to|is to|are to|to) be (?:scored|graded|marked|rated|given|awarded|assigned|recorded|entered)"
        r"(?: as| at| with| a)?(?: level)? ?(?:4|four|full marks|the (?:maximum|highest|top) (?:level|score|mark|marks))\b",
        threshold=True,
    ),
    _rule(
        "treat_as_complete",
        "plain",
        f"{_REQUEST}{_in_sentence(60)}"
        + r"\b(?:treat|count|consider|grade|score|mark) (?:this|it|my answer|the answer) as (?:a )?(?:complete|full|perfect|correct|strong|level[ -]?4)",
    ),
    _rule(
        "ignore_instructions",
        "plain",
        r"\b(?:ignore|disregard|forget|override|bypass|skip|discard|neglect|set aside)\s+"
        r"(?:(?:all|any|the|your|these|those|every|of)\s+)*"
        r"(?:(?:(?:previous|prior|above|earlier|preceding|foregoing|original|existing|initial|other|given|grading|system|rubric|your|all)\s+)+"
        r"(?:rules|criteria|guidelines|guidance|directions|directives|constraints|prompts?|policy|policies|levels|descriptors|messages?|orders|commands)"
        r"|(?:(?:previous|prior|above|earlier|preceding|foregoing|original|existing|current|initial|other|given|grading|system|your)\s+)*"
        r"(?:instructions?|rubrics?|level descriptors?|system (?:prompt|message)|grading (?:instructions|rules|criteria|guidelines|policy)))\b",
        discussable=True,
        imperative=True,
        located=True,
    ),
    _rule("do_not_report", "plain", _SUPPRESS, context=_SUPPRESS_OBJECT),
    _rule(
        "note_to_ai_grader",
        "plain",
        _alt(
            r"\b(?:note|notes|reminder|memo|p\.?s\.?|notice)\s+(?:to|for)\s+(?:the |any |an? |my |our )?"
            r"(?:automated |automatic |ai |llm |machine |grading )?(?:graders?|grading (?:model|assistant|system|ai|bot|pipeline|engine|tool)|"
            r"evaluators?|scorers?|examiners?|assessors?|markers?|ai|llm|model|assistant|bot|language model|judge)\b",
            r"\bdear\W{1,3}(?:the |my )?(?:ai|grader|evaluator|model|llm|assistant|grading (?:model|assistant|system)|reviewer|examiner)\b",
            r"\bif (?:this|my|the) (?:answer|response|submission|text|essay) (?:is|was|gets|will be) (?:being |now )?(?:graded|scored|evaluated|marked|assessed|reviewed|read|checked) "
            r"by (?:an? |the |some )?(?:ai|llm|model|machine|bot|automated|language model|gpt|chatbot|algorithm|computer)",
            r"\bif you(?: are|'re) (?:an? |the )?(?:ai|llm|language model|model|bot|automated grader|grader|grading (?:model|assistant|system))"
            r"(?=\s*[,:;.)]|\s+(?:reading|grading|scoring|evaluating|reviewing|marking)\b)",
            r"\bto the (?:ai|model|llm|assistant|bot|grader|system)(?: that is| who is| which is| that's)? (?:grading|scoring|evaluating|marking|reading|reviewing) (?:this|my)\b",
        ),
        discussable=True,
    ),
    _rule(
        "grader_note_header",
        "plain",
        r"\b(?:grader|evaluator|scorer|(?:ai|llm|model) grader) (?:instructions?|note|notice|directive|override|configuration|config|update|command)s?\s*[:\-\]]",
        context=_alt(
            _HIGH_STRICT,
            _SUPPRESS,
            r"\bthis (?:answer|response|submission)\b",
            r"\brubric (?:above|below)\b",
            r"\b(?:ignore|disregard)\b",
        ),
    ),
    _rule(
        "grader_must",
        "plain",
        r"\b(?:the )?(?:grader|evaluator|scorer|examiner|assessor|grading (?:model|assistant|system)) "
        r"(?:must|should|shall|will|needs? to|is to|has to|is instructed to|is required to) (?:now |also |simply |just )?"
        r"(?:ignore|disregard|skip|override|bypass|give|award|assign|output|return|accept|not (?:flag|report|mark|penali[sz]e))\b",
        context=_alt(_HIGH_STRICT, r"\bthis (?:answer|response|submission)\b", r"\bthe rubric (?:above|below)\b"),
        discussable=True,
        threshold=True,
    ),
    _rule(
        "break_out_of_answer",
        "plain",
        _alt(
            r"-{2,}\s*end of (?:the )?(?:candidate'?s? )?(?:answer|response|submission)\b",
            r"\bend of (?:the )?candidate'?s? (?:answer|response|submission)\b",
            r"\b(?:system|grader|grading|rubric)[ _-]override\b",
        ),
    ),
    _rule(
        "levels_json",
        "plain",
        _alt(
            r"\"levels\"\s*:\s*\{",
            r"\"(?:verdict|overall|recommendation)\"\s*:\s*\"(?:strong )?(?:hire|pass|accept)",
            r"\binjection[_ ]suspected\b",
            r"\b(?:grading|grader|rubric) (?:override|level|levels|score|scores|instructions?|note|bypass|result|verdict)\b\W{0,3}[:=]",
            r"(?:\"[a-z ]+\"\s*:\s*4\s*,\s*){3,}\"[a-z ]+\"\s*:\s*4\b",
        ),
    ),
    # role play: a new persona for the grader, or fake chat turns that grade
    _rule(
        "you_are_now",
        "role_play",
        _alt(
            r"\byou(?: are|'re) now (?:a |an |the |called |named |known as )?[\"']?"
            r"(?:(?!(?:on|in|at|to|for|with|from|of|by|via|through)\b)(?![\w-]*ing\b)[\w-]+ ){0,3}?[\"']?" + _ROLE_NOUN,
            r"\bfrom now on,? you(?: are|'re| will be| will act as| act as)\b" + _in_sentence(40) + _ROLE_NOUN,
            r"\byou (?:will|shall|must) now (?:act|behave|respond|operate|grade) as\b",
            r"\byou are no longer (?:an? |the )?(?:grader|evaluator|assistant|model|ai|judge|bound)\b",
            r"\b(?:gives?|awards?|assigns?|grants?) (?:everyone|every answer|all answers|each answer|any answer) " + _HIGH_LOOSE,
            r"\b(?:imagine|suppose|let's (?:say|pretend|imagine)|let us (?:say|pretend|imagine)|play a game)(?: that)?,? you(?:'re| are) (?:an? |the )?(?:[\w-]+ ){0,3}?"
            r"(?:grader|evaluator|judge|scorer|examiner|marker)",
            r"\byou(?:'re| are) (?:an? |the |my )?(?:[\w-]+ )?(?:lenient|generous|kind|friendly|nice|forgiving) (?:grader|evaluator|judge|scorer|examiner|marker)",
            r"\brole-?play as\b",
            r"\byour new (?:role|name|persona|identity|instructions|policy)\b",
            r"\byou have been (?:reassigned|reconfigured|reprogrammed|repurposed|jailbroken)\b",
            r"\b(?:grading|scoring) (?:session|policy|mode) (?:has been |was |is )?(?:reassigned|updated|changed|switched|overridden)\b",
        ),
        discussable=True,
    ),
    _rule(
        "act_as_grader",
        "role_play",
        r"\b(?:act|behave|respond|operate|pretend to be|pretend you are|pretend that you are) (?:as )?(?:an? |the )?(?:[\w-]+ ){0,2}?"
        r"(?:grader|evaluator|judge|scorer|examiner|assessor|marker|[a-z0-9-]*bot)\b",
        discussable=True,
        imperative=True,
    ),
    _rule(
        "always_gives_top_marks",
        "role_play",
        r"\b(?:always|automatically) (?:gives?|awards?|assigns?|scores?|grants?|outputs?|returns?|receives?) (?:[\w-]+ ){0,3}?"
        + _HIGH_STRICT,
        threshold=True,
    ),
    _rule(
        "fake_turn",
        "role_play",
        r"^[ \t>*#\-\[(]*(?:system|assistant|user|human|ai|grader|developer|operator|admin|evaluator)"
        r"(?: message| prompt| note| instructions?| update| override| notice)?[ \t]*(?:[\]:)>]|\s-\s)",
        context=_TURN_PAYLOAD,
        turn=True,
    ),
    _rule(
        "fake_tag",
        "role_play",
        _alt(
            r"</?\s*(?:system|assistant|user|instructions?|admin|developer|grader|answer)\s*>",
            r"\[\s*/?(?:system|inst|instructions?|admin|developer|grader)(?: message| note| notice| update| prompt)?\b",
            r"<\|(?:im[ _]start|im[ _]end|system|assistant|user|endoftext)\|>",
        ),
        context=_TURN_PAYLOAD,
        turn=True,
    ),
    # fake rubric or grader updates
    _rule(
        "rubric_update",
        "fake_rubric_update",
        _alt(
            r"\b(?:rubric|grading|scoring|marking|grader)(?: criteria| policy| guidelines?| instructions?| rules?| scheme)? "
            r"(?:update|updates|change|changes|revision|amendment|override|correction|addendum|errata|patch|notice|adjustment)\b",
            r"\b(?:new|updated|revised|amended|corrected|changed|latest|modified|recalibrated)(?: version of the)? "
            r"(?:rubric|grading (?:instructions|criteria|policy|guidelines|rules|scheme|rubric)|scoring (?:instructions|policy|guidelines|rules|scheme|rubric)|"
            r"marking (?:scheme|criteria|instructions)|level descriptors)\b",
            r"\berrat(?:a|um)\b",
            r"\bcalibration (?:note|update|notice|memo|change)s?\b",
            r"\brubric (?:v|version )\d",
            r"\b(?:new|updated|revised|amended|changed) (?:scoring|grading|marking) guide\b",
            r"\b(?:scoring|grading|marking) guide (?:has |was |were )?(?:been )?(?:changed|updated|revised|amended)\b",
            r"\b(?:updated|new|revised|amended) (?:guidelines|instructions|criteria|policy|rules) (?:from|by|of|issued by) (?:the )?"
            r"(?:hiring|recruit\w*|interview|assessment|grading) (?:team|panel|committee|managers?|department)\b",
            r"\b(?:rubric|criteria|grading \w+|scoring \w+|levels?)(?: \w+){0,3} (?:updated|revised|changed|amended|modified|issued|published) by (?:the )?"
            r"(?:hiring|recruit\w*|interview|assessment|grading) (?:team|panel|committee|managers?|department)\b",
            r"\b(?:the )?(?:rubric|criteria|grading (?:criteria|instructions|policy)|level descriptors?|scoring (?:criteria|rules))"
            r"(?: for this (?:question|interview|answer|role))? (?:was|were|has been|have been|is|are|got) (?:now |recently |just |since |officially )?"
            r"(?:revised|updated|changed|modified|amended|replaced|recalibrated|superseded|overridden|relaxed|adjusted|waived)\b",
            r"\b(?:the )?(?:rubric|grading (?:criteria|instructions|policy)|level descriptors?|scoring (?:criteria|rules))"
            r"(?: for this (?:question|interview|answer|role))? (?:has|have|had) (?:now |recently |just |since |officially )?(?:changed|been changed)\b",
            r"\b(?:hiring|recruiting|recruitment|interview|assessment|grading|talent) (?:team|panel|committee|managers?|department|leads?)s? "
            r"(?:has |have |had )?(?:now |recently |just |since |officially )?(?:changed|updated|revised|modified|amended|replaced|adjusted|recalibrated|relaxed|overridden)"
            r"(?: \w+){0,2} (?:rubric|criteria|grading|scoring|levels?|descriptors?)\b",
        ),
        context=_RUBRIC_CONTEXT,
    ),
    _rule(
        "graders_must_apply",
        "fake_rubric_update",
        r"\b(?:graders?|the grader|you|the model|the ai) (?:must|should|shall|are to|is to|need to|are required to|are asked to|will) "
        r"(?:now )?(?:apply|use|follow|honou?r|adopt|implement) (?:this|these|the) (?:updates?|changes?|amendments?|"
        r"(?:new|updated|revised|amended) (?:rubric|criteria|grading \w+|levels|level descriptors|instructions|scoring \w+))\b",
    ),
    # authority or accommodation claims
    _rule(
        "accommodation",
        "authority_or_accommodation",
        r"\b(?:accommodations?|reasonable adjustments?|special (?:consideration|arrangements?)|extra time (?:was|has been) (?:approved|granted)|"
        r"disability|disabilities|dyslexi\w*|dyspraxi\w*|adhd|neurodivergen\w*|autis\w*|(?:medical|health) condition|learning difference)\b",
        context=_ACCOMMODATION_CONTEXT,
    ),
    _rule(
        "approved_by_authority",
        "authority_or_accommodation",
        _alt(
            r"\b(?:the |my |your |our )?(?:recruiters?|recruiting coordinator|hiring manager|hr|human resources|talent (?:team|partner)|coordinator|interviewers?|"
            r"interview panel|hiring panel|panel|hiring committee|committee|hiring team|cto|ceo|vp|head of [a-z]+|director|question author|rubric author)s? "
            r"(?:has |have |had |already |personally |also |kindly |officially )*(?:approved|confirmed|agreed|promised|authori[sz]ed|guaranteed|assured|decided|arranged|"
            r"instructed|requested|verified|validated|pre-?approved|pre-?scored|signed off|okayed|said|told me|mentioned|assured me)\b",
            r"\bas (?:agreed|approved|arranged|discussed|confirmed|promised|authori[sz]ed) (?:with|by) (?:the |my |your )?(?:hr|human resources|recruiter|recruiting|hiring|interviewer|"
            r"panel|committee|cto|ceo|manager|coordinator|company)\b",
            r"\b(?:reviewed|approved|pre-?approved|verified|validated|pre-?scored|certified|signed off|endorsed|vetted|graded|scored)(?: and \w+)? (?:by|with) "
            r"(?:the |a |an |our |my )?(?:interview|hiring|recruit\w*|senior|human|lead|assessment|grading)? ?"
            r"(?:panel|committee|team|interviewer|recruiter|manager|hr|author|question author|expert|reviewer|cto|ceo)s?\b",
            r"\bon behalf of (?:the )?(?:hiring|interview|recruit\w*|company|panel|committee)\b",
            r"\b(?:supplied|provided|written|prepared|authored|submitted|set) by (?:the )?(?:question|rubric|exam|test) (?:author|setter|writer|owner)s?\b",
            r"\b(?:this|my) (?:answer|response|submission) (?:is|was|has been|had been) (?:already )?(?:pre-?approved|approved|signed off|verified|validated|cleared|pre-?scored|pre-?graded)\b",
            r"\b(?:told|promised|assured|informed) by (?:the |my )?(?:recruiter|hiring manager|hr|interviewer|coordinator|hiring team|panel)\b",
            r"\b(?:agreement|arrangement|understanding|deal) with (?:the |my )?(?:hr|human resources|recruiter|recruiting|hiring|interviewer|panel|company)\b",
            r"\b(?:this|my) (?:answer|response|submission) is (?:the |a |an )?(?:(?:official|model|reference|gold(?:en)?|sample|exemplar|ideal|approved|verified) ){1,3}"
            r"(?:answer|solution|response)\b",
        ),
        context=_GRADING_WORDS,
    ),
    _rule(
        "authority_instructs",
        "authority_or_accommodation",
        _alt(
            r"\b(?:as|i am|i'm|speaking as|this is) (?:the |a |an |your |their |this company'?s |the company'?s )?"
            + _AUTHORITY_ROLE
            + r"\b"
            + _gap(120)
            + _INSTRUCTING,
            r"\bi (?:hereby )?(?:instruct|order|direct|command|authori[sz]e|require) (?:you|the grader|the evaluator|the model|the ai|the assistant|the grading (?:model|system|assistant))\b",
        ),
        context=_GRADER_WORDS,
    ),
    # other languages: the same requests, in German, French, Spanish, Portuguese, Italian
    _rule(
        "other_high_score_for_criteria",
        "other_language",
        _alt(_near(_alt(_OTHER_HIGH, _HIGH_MID), _OTHER_CRITERIA, 80), _near(_OTHER_HIGH, _CRITERIA, 80)),
    ),
    _rule(
        "other_request_high_score",
        "other_language",
        _alt(f"{_OTHER_REQUEST}{_in_sentence(80)}{_OTHER_HIGH}", f"{_OTHER_HIGH}{_in_sentence(40)}{_OTHER_GRANT_AFTER}"),
    ),
    _rule(
        "other_grant_high_score",
        "other_language",
        _alt(
            f"{_OTHER_GRANT}{_in_sentence(50)}{_alt(_OTHER_HIGH, _HIGH_STRICT)}",
            r"\bde(?:-lhe)? (?:a )?(?:nota|pontuacao) maxima\b",
        ),
    ),
    _rule("other_ignore_instructions", "other_language", _OTHER_IGNORE, discussable=True),
    _rule("other_do_not_report", "other_language", _OTHER_SUPPRESS),
    _rule("other_you_are_now", "other_language", _OTHER_ROLE + _gap(60) + _alt(_OTHER_GRADER, _ROLE_NOUN), discussable=True),
    _rule(
        "other_rubric_update",
        "other_language",
        _OTHER_RUBRIC,
        context=_alt(_OTHER_HIGH, _OTHER_CRITERIA, _HIGH_STRICT, _CRITERIA),
    ),
    _rule(
        "other_note_to_grader",
        "other_language",
        r"\b(?:hinweis|nachricht|anmerkung|notiz|anweisung|achtung|note|message|remarque|consigne|instruction|avis|nota|mensaje|mensagem|aviso|instruccion|"
        r"instrucao|indicacion|observacao|recado|messaggio|avviso|istruzione|indicazione|comunicazione)\s+"
        r"(?:fur|an|pour|a|para|al|ao|per|alla|all'|au|aux)\s*(?:den |die |das |le |la |l'|les |el |la |o |a |il |lo |l')?"
        + _OTHER_GRADER
        + r"\b"
        r"|^[ \t]*(?:an die|an den|an das|a l'|al|a la|ao|a|all'|alla) (?:ki|ia|ai|prufer|bewerter|evaluateur|correcteur|evaluador|avaliador|valutatore|modell|modele|modelo|modello)\b",
        context=_alt(_OTHER_HIGH, _OTHER_IGNORE, _OTHER_SUPPRESS, _HIGH_STRICT, _OTHER_CRITERIA, r"\b" + _OTHER_AI + r"\b"),
        discussable=True,
    ),
)

# Where an instruction starts: the opening of a sentence, a line or a comment, or a word
# that addresses the reader.
_IMPERATIVE_LEAD = re.compile(
    r"(?:^|[.!?:;,()\[\]\-*#/>\"]|\bplease|\bkindly|\bnow|\bso|\bthen|\band|\balso|\bfirst|\bjust|\bsimply|\bimportant|\bnote|\battention|"
    r"\b(?:you|grader|evaluator|reviewer|model|ai|assistant|llm|scorer|examiner|gpt|chatgpt|claude|gemini|bot)(?:,|:)?|"
    r"\b(?:you|grader|evaluator|model|ai|assistant|llm|scorer|examiner|reviewer) (?:must|should|will|shall|can|may|need to|needs to|have to|has to|are to|is to|"
    r"are instructed to|is instructed to|are required to|is required to|are asked to)(?: now| also| simply| just)?|"
    r"\b(?:i|we) (?:need|want|ask|require|instruct|order|direct|tell) (?:you|the grader|the evaluator|the model|the ai) to)\s*$"
)
_DISCUSSION_RE = re.compile(_DISCUSSION)
_PAYLOAD_RE = re.compile(_alt(_FOR_CRITERIA, _GRANT_HIGH, _SUPPRESS, _OTHER_HIGH, _OTHER_SUPPRESS), re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)[.!?](?=\s)|\n")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])\s")

# Code: fenced blocks, inline code, HTML and C comments, line comments outside fences.
_CODE = re.compile(
    r"^[ \t]*(?P<fence>```|~~~)[^\n]*\n.*?(?:^[ \t]*(?P=fence)[ \t]*$|\Z)|`[^`\n]+`|<!--.*?(?:-->|\Z)|/\*.{0,4000}?\*/|^[ \t]*(?://|-- )[^\n]*",
    re.MULTILINE | re.DOTALL,
)

_FAMILY_ORDER = ("role_play", "fake_rubric_update", "authority_or_accommodation", "other_language", "plain")


def _bounds(pattern: re.Pattern[str], text: str, start: int, end: int) -> tuple[int, int]:
    """The span between the breaks (``pattern``) around [start, end)."""
    before = 0
    for m in pattern.finditer(text, 0, start):
        before = m.end()
    after = pattern.search(text, end)
    return before, after.start() if after else len(text)


def _quoted(text: str, sent_start: int, start: int, end: int, sent_end: int) -> bool:
    lead = text[sent_start:start]
    for quote in ('"', "`"):
        if lead.count(quote) % 2 == 1 and quote in text[end:sent_end]:
            return True
    # single quotes: only as quotation marks (not apostrophes) right around the match
    return bool(re.search(r"(?:^|\s)'\S*$", lead)) and bool(re.search(r"'", text[end:sent_end]))


def _discussed(text: str, start: int, end: int) -> bool:
    """Quoted, or in a paragraph about attacks and defenses that asks for nothing."""
    sent_start, sent_end = _bounds(_SENTENCE_END, text, start, end)
    if _quoted(text, sent_start, start, end, sent_end):
        return True
    para_start, para_end = _bounds(_BLANK_LINE, text, start, end)
    window = text[para_start:para_end]
    if _PAYLOAD_RE.search(window):
        return False  # an answer that discusses attacks does not ask for marks
    # a list item: the line that introduces the list ("payloads we test:") counts too
    line_start = text.rfind("\n", 0, start) + 1
    for _ in range(12):
        if line_start == 0 or not _LIST_ITEM.match(text, line_start):
            break
        line_start = text.rfind("\n", 0, line_start - 1) + 1
        window += " " + text[line_start : text.find("\n", line_start)]
    return bool(_DISCUSSION_RE.search(window))


def _imperative(text: str, start: int) -> bool:
    sent_start, _ = _bounds(_SENTENCE_END, text, start, start)
    return bool(_IMPERATIVE_LEAD.search(text[max(sent_start, start - 120) : start]))


_THRESHOLD = re.compile(
    r"\b(?:requires?|required|requiring|needs? to (?:reach|hit|score|get|be)|reach(?:es)?|target|aim (?:for|at)|achieves?|at least|minimum|threshold|"
    r"or (?:above|higher|better|more|greater)|and above|until|unless|only (?:if|when)|before (?:launch|we launch|launching|release|rollout))\b|>=|\u2265"
)
_DEFINES = re.compile(
    r"^\W{0,3}(?:\w+\s+){0,2}?(?:if|when|whenever|only|means|requires|indicates|describes|is defined)\b|^\s*[:=]"
)
_LOCATED = re.compile(
    r"\s+(?:(?:that|which) (?:appear|appears|are|is|come|comes)\s+)?(?:in|inside|within|embedded|contained|found|from|coming from|hidden|injected|planted)\b"
)


def _sets_a_bar(text: str, start: int, end: int) -> bool:
    sent_start, sent_end = _bounds(_SENTENCE_END, text, start, end)
    return bool(_THRESHOLD.search(text, sent_start, sent_end) or _DEFINES.search(text[end:sent_end]))


def _context(rule: _Rule, text: str, start: int, end: int) -> bool:
    """The rule's context in the paragraph (or the turn), in a sentence that demands rather
    than sets a bar ("level 4 only if every claim is cited" is no demand)."""
    if rule.context is None:
        return True
    para_start, para_end = _bounds(_BLANK_LINE, text, start, end)
    if rule.turn:
        para_start, para_end = start, min(para_end, start + 500)
    return any(not _sets_a_bar(text, m.start(), m.end()) for m in rule.context.finditer(text, para_start, para_end))


_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")


def _obfuscation(text: str) -> Finding | None:
    """Words that mix Latin letters with look-alikes from another script, or hide invisible
    characters between their letters: nobody types those by accident."""
    tokens = re.finditer(r"[^\W\d_](?:[^\W\d_]|[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u034f])*", text)
    offending: list[re.Match[str]] = []
    hidden = 0
    for token in tokens:
        word = token.group(0)
        letters = [c for c in word if not is_invisible(c)]
        lookalike = sum(_is_lookalike(c) for c in letters)
        plain = sum(c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in letters)
        # zero-width characters between the letters of a Latin-looking word (not soft hyphens
        # from a copy-paste, not the joiners Persian and Indic scripts need)
        latinish = plain or lookalike
        inside = sum(c in _ZERO_WIDTH for c in word[1:-1]) if latinish else 0
        hidden += inside
        if (lookalike and plain and len(letters) >= 2) or inside:
            offending.append(token)
    mixed = [t for t in offending if any(_is_lookalike(c) for c in t.group(0))]
    smuggled = list(re.finditer(r"[\U000e0020-\U000e007e]+|\u202e", text))
    if len(mixed) < 2 and hidden < 2 and not smuggled:
        return None
    first = min([*offending, *smuggled], key=lambda m: m.start())
    line_start = text.rfind("\n", 0, first.start()) + 1
    line_end = text.find("\n", first.end())
    line_end = len(text) if line_end == -1 else line_end
    start, end = max(line_start, first.start() - 60), min(line_end, first.end() + 140)
    return Finding("obfuscated", text[start:end].strip(), "lookalike_or_invisible_letters", start, end)


def _carrier(text: str, start: int, end: int, code: list[tuple[int, int]]) -> str | None:
    """The obfuscation or the code block that carries a finding, if any."""
    passage = text[start:end]
    if any(is_invisible(c) or _is_lookalike(c) or (c.isalpha() and unicodedata.normalize("NFKC", c) != c) for c in passage):
        return "obfuscated"
    if any(lo <= start < hi for lo, hi in code):
        return "code_block"
    return None


def injection_findings(text: str) -> list[Finding]:
    """Passages of an answer that address the grader instead of the question, in order."""
    folded = _fold(text)
    body = folded.text
    if not body:
        return []
    raw: list[tuple[int, int, _Rule]] = []
    for rule in _RULES:
        for match in rule.pattern.finditer(body):
            start, end = match.span()
            if end <= start:
                continue
            if rule.imperative and not _imperative(body, start):
                continue
            if rule.discussable and _discussed(body, start, end):
                continue
            if rule.threshold and _sets_a_bar(body, start, end):
                continue
            if rule.located and _LOCATED.match(body, end):
                continue
            if not _context(rule, body, start, end):
                continue
            raw.append((start, end, rule))
    # One finding per passage: overlapping matches merge, the most specific family names it.
    raw.sort(key=lambda item: (item[0], -item[1]))
    merged: list[tuple[int, int, list[_Rule]]] = []
    for start, end, rule in raw:
        if merged and start < merged[-1][1]:
            last_start, last_end, rules = merged[-1]
            if max(end, last_end) - last_start <= 400:
                merged[-1] = (last_start, max(end, last_end), [*rules, rule])
            else:
                rules.append(rule)
            continue
        merged.append((start, end, [rule]))
    code = [(folded.origin[m.start()], folded.origin[m.end() - 1] + 1) for m in _CODE.finditer(body)]
    findings: list[Finding] = []
    for start, end, rules in merged:
        orig_start, orig_end = folded.origin[start], folded.origin[end - 1] + 1
        family = min((r.family for r in rules), key=_FAMILY_ORDER.index)
        family = _carrier(text, orig_start, orig_end, code) or family
        passage = text[orig_start:orig_end].strip()
        findings.append(Finding(family, passage, rules[0].name, orig_start, orig_end))
    obfuscation = _obfuscation(text)
    if obfuscation and not any(f.family == "obfuscated" for f in findings):
        findings.append(obfuscation)
        findings.sort(key=lambda f: f.start)
    return findings


# --- measuring on labelled sets: python -m grading.injection [--split dev|heldout|all] FILE... ---


def measure(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Per injection family: flagged / total; and the clean answers flagged."""
    flagged: Counter[str] = Counter()
    total: Counter[str] = Counter()
    clean = 0
    clean_flagged: list[str] = []
    missed: list[str] = []
    for item in items:
        hit = bool(injection_findings(item["answer"]))
        if item.get("category") == "injection":
            family = item.get("family") or "unlabelled"
            total[family] += 1
            flagged[family] += hit
            if not hit:
                missed.append(item["id"])
        else:
            clean += 1
            if hit:
                clean_flagged.append(item["id"])
    return {
        "families": {family: {"flagged": flagged[family], "total": total[family]} for family in sorted(total)},
        "injections": {"flagged": sum(flagged.values()), "total": sum(total.values())},
        "clean": {"flagged": len(clean_flagged), "total": clean},
        "missed": missed,
        "clean_flagged": clean_flagged,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.injection", description=measure.__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument(
        "--split", choices=["dev", "heldout", "all"], default="dev", help="items without a split count as dev (default: dev)"
    )
    args = parser.parse_args(argv)
    items: list[dict[str, Any]] = []
    for path in args.files:
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            if args.split == "all" or item.get("split", "dev") == args.split:
                items.append({**item, "id": f"{path.name}:{item['id']}"})
    result = measure(items)
    print(f"split {args.split}: {len(items)} items")
    print(f"{'family':<28} flagged / total")
    for family, counts in result["families"].items():
        print(f"{family:<28} {counts['flagged']} / {counts['total']}")
    print(f"{'all injections':<28} {result['injections']['flagged']} / {result['injections']['total']}")
    print(f"{'clean answers flagged':<28} {result['clean']['flagged']} / {result['clean']['total']}")
    for label in ("missed", "clean_flagged"):
        if result[label]:
            print(f"{label}: {', '.join(result[label])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
