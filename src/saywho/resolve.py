"""Resolve: tie speaker mentions ("he", "the head of state", "Lukashenko") to one named
entity of the article, with the evidence used. No guess dressed up as fact: a mention that
the evidence does not settle stays unresolved."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from spacy.tokens import Doc, Span, Token

from saywho.model import Entity, Resolution, ResolutionMethod, holds
from saywho.speakers import INSTITUTION_NOUNS, Mention

HONORIFICS = frozenset(
    """
    mr mr. mrs mrs. ms ms. miss dr dr. prof prof. sir dame lord lady rev rev. st st.
    """.split()
)
MALE_HONORIFICS = frozenset({"mr", "mr.", "sir", "lord", "king"})
FEMALE_HONORIFICS = frozenset({"mrs", "mrs.", "ms", "ms.", "miss", "dame", "lady", "queen"})

# Phrases that stand for a title: "the head of state" is a president, king or similar.
DESCRIPTORS: dict[str, frozenset[str]] = {
    "head of state": frozenset({"president", "king", "queen", "monarch", "emir", "sultan", "leader"}),
    "head of government": frozenset({"prime minister", "premier", "chancellor", "minister"}),
    "leader": frozenset({"president", "prime minister", "premier", "chancellor", "leader", "chairman", "king"}),
    "premier": frozenset({"prime minister", "premier"}),
    "prime minister": frozenset({"prime minister", "premier", "minister"}),
    "chief executive": frozenset({"ceo", "chief executive", "executive"}),
    "ceo": frozenset({"ceo", "chief executive", "executive"}),
    "candidate": frozenset({"candidate", "nominee"}),
    "nominee": frozenset({"nominee", "candidate"}),
}

# Common given names (not those given to both, such as Jordan, Leslie or Kelly), to keep "she"
# from resolving to a man and "he" to a woman.
MALE_NAMES = frozenset(
    """
    alexander alex andrew anthony barack ben benjamin bernie bill bob boris brian charles
    chris christopher dan daniel david donald ed edward emmanuel eric frank gary george greg
    harry henry ian jack james jason jeb jeff jeffrey jim joe john jonathan joseph josh kevin
    larry lindsey mark matt matthew michael mike mitch nick paul peter richard rick robert
    ron ryan sam scott sergei stephen steve steven ted thomas tim tom vladimir volodymyr
    william xi mohammed muhammad ahmed ali recep narendra olaf justin keir rishi viktor
        aaron adam adrian al alan albert allen andy antonio arthur austin barry bernard bobby brad
    brandon brett bruce bryan carl carlos chad charlie chuck clarence clark craig curtis dale
    darrell dave dean dennis derek dick don donnie doug douglas duncan dwight earl eddie edwin
    elijah elliot elliott eugene evan francis fred frederick gavin gene gerald glenn gordon grant
    hank harold harvey hector herbert howard hugh isaac jacob jake jared jay jeremy jerome jerry
    jesse jimmy joel johnny jon jonah jorge jose juan julian karl keith ken kenneth kent kirk kyle
    lamar lance lawrence leon leonard lloyd louis lucas luke luis malcolm marco marcus mario
    marshall martin marvin max miles mitchell nathan neil newt norman oliver omar oscar patrick
    phil philip ralph randy raymond reggie reince rex rhett rob robby roger roland ronald ross roy
    rudy russell samuel sean seth shawn sherrod stanley stuart theodore todd tony travis trey troy
    tyler vernon vince vincent wade walter warren wayne wesley will willie zach zachary rand rahm
    stevie raj
    mitt jeh kerr rod
""".split()
)
FEMALE_NAMES = frozenset(
    """
    alice amy angela ann anna anne barbara betsy carly catherine chelsea christine claire
    deborah diane elizabeth ellen emily emma hillary huma jane janet jennifer jill julia
    kamala karen kate katherine kathleen kellyanne laura linda lisa loretta margaret maria
    mary melania michelle nancy nicole nikki patricia rachel sarah sharon susan theresa
    ursula valerie ivanka giorgia marine liz kristi
        abigail alicia alison allison amanda andrea angelina anita becky beth betty bonnie brenda
    brittany camille carmen carol caroline cheryl christina cindy claudia colleen condoleezza
    connie cynthia dawn debbie debra denise diana dolores donna doris dorothy eleanor elaine elena
    elise elisabeth eva evelyn fiona frances gabrielle gail gina gloria grace hannah heather heidi
    helen holly irene jacqueline jeanne jenna jessica joan joanna joanne jocelyn josephine joyce
    judith judy julie katie kathryn kirsten kristen lauren leah lena lillian lily lois lori louise
    lucy madeleine marcia margarita marianne marie marilyn marsha martha meghan megan melanie
    melinda melissa meredith mia michele mindy miriam molly monica nadia naomi natalie nina nora
    olivia pam pamela patti paula pauline peggy penny phyllis priscilla rebecca regina renee rita
    roberta rosa rose ruth sally samantha sandra sara shannon sheila shirley sonia sophia stacey
    stacy stephanie sue suzanne sylvia tamara tammy teresa tiffany tina vanessa vera veronica
    victoria virginia wanda wendy yvonne zoe loretta aparna ivana betsy
""".split()
)
# Party words of US and similar politics: "the Democratic nominee" is not the Republican one.
PARTIES = {"democratic": "D", "democrat": "D", "democrats": "D", "republican": "R", "gop": "R",
           "libertarian": "L", "green": "G"}
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}


def _honorific_gender(ent: Span) -> str | None:
    """'m' or 'f' when an honorific stands in or right before the name ("Mr. Obama")."""
    doc = ent.doc
    candidates = [t.lower_ for t in ent[:2]] + ([doc[ent.start - 1].lower_] if ent.start > 0 else [])
    for word in candidates:
        if word in MALE_HONORIFICS:
            return "m"
        if word in FEMALE_HONORIFICS:
            return "f"
    return None


def _clean_name_tokens(span: Span) -> list[Token]:
    tokens = [t for t in span if not t.is_space and not (t.is_punct and t.text != "-")]
    while tokens and tokens[-1].lower_ in ("'s", "’s", "'"):
        tokens.pop()
    while tokens and (tokens[0].lower_ in HONORIFICS or tokens[0].lower_ == "the"):
        tokens.pop(0)
    return tokens


@dataclass
class Cluster:
    """One entity: its name variants, titles and mentions (character spans)."""

    id: str
    type: str  # "person" or "organization"
    names: list[str] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)
    parties: set[str] = field(default_factory=set)  # "Republican nominee Donald Trump": {"R"}
    gender: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)
    full_mention: tuple[int, int] | None = None  # where the canonical name is written
    first_full: int | None = None  # where a name of several words is first written

    @property
    def name(self) -> str:
        return max(self.names, key=lambda n: (len(n.split()), len(n)))

    @property
    def surname(self) -> str:
        return self.name.split()[-1].lower()


@dataclass(frozen=True, slots=True)
class _Anchor:
    """A position where an entity is mentioned, for pronoun and title look-back."""

    position: int
    cluster: Cluster
    span: tuple[int, int]
    salient: bool = False  # a speaker already resolved, or the subject of a main clause


class EntityIndex:
    """Entities of one article, built from its parsed chunks, and mention resolution."""

    def __init__(self, chunks: list[tuple[Doc, int]], excluded: list[tuple[int, int]] = ()) -> None:
        # ``excluded``: character ranges whose entities are ignored (scare-quoted terms).
        self.clusters: list[Cluster] = []
        self._anchors: list[_Anchor] = []
        self._excluded = sorted(excluded)
        found = [
            (ent, base) for doc, base in chunks for ent in doc.ents if ent.label_ in ("PERSON", "ORG", "GPE")
        ]
        # Full names first, so that a bare surname sees every person who has it: "Obama" joins
        # "Barack Obama" only when no "Michelle Obama" is mentioned too.
        found.sort(key=lambda item: len(_clean_name_tokens(item[0])) < 2)
        for ent, base in found:
            self._add_entity(ent, base)
        self._merge_surnames_tagged_as_organizations()
        # Ids in order of first mention.
        self.clusters.sort(key=lambda c: min(c.mentions))
        for number, cluster in enumerate(self.clusters, start=1):
            cluster.id = f"e{number}"
        self._anchors.sort(key=lambda a: a.position)
        self._positions = [a.position for a in self._anchors]

    # -- building -------------------------------------------------------------------------

    def _is_excluded(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._excluded, (start, 10**12)) - 1
        return i >= 0 and self._excluded[i][0] <= start and end <= self._excluded[i][1] + 1

    def _add_entity(self, ent: Span, base: int) -> None:
        tokens = _clean_name_tokens(ent)
        if not tokens:
            return
        start = base + tokens[0].idx
        end = base + tokens[-1].idx + len(tokens[-1])
        if self._is_excluded(start, end):
            return
        name = " ".join(t.text for t in tokens)
        if not name.split():
            return
        kind = "person" if ent.label_ == "PERSON" else "organization"
        cluster = self._cluster_for(name, kind, start, _honorific_gender(ent))
        cluster.names.append(name)
        cluster.mentions.append((start, end))
        if len(name.split()) > 1 and (cluster.first_full is None or start < cluster.first_full):
            cluster.first_full = start
        if cluster.full_mention is None or len(name) >= len(cluster.name):
            if name == cluster.name:
                cluster.full_mention = (start, end)
        if kind == "person":
            self._learn_titles(ent, cluster)
        # The subject of a main clause is the topic; one of a reported clause is not
        # ("Lukashenko insisted Belarus would not get involved").
        subject = ent.root.dep_ in ("nsubj", "nsubjpass") and ent.root.head.dep_ == "ROOT"
        self._anchors.append(_Anchor(start, cluster, (start, end), subject))

    def _cluster_for(self, name: str, kind: str, position: int, gender: str | None) -> Cluster:
        words = name.lower().split()
        for cluster in self.clusters:
            if cluster.type != kind:
                continue
            known = [n.lower().split() for n in cluster.names]
            if words in known:
                return cluster
            if kind == "person" and len(words) > 1:
                # "Donald J. Trump" joins "Donald Trump": same surname, same first name.
                if words[-1] == cluster.surname and all(len(k) == 1 or k[0] == words[0] for k in known):
                    return cluster
        if kind == "person" and len(words) == 1:
            # "Lukashenko" joins "Alexander Lukashenko" when no one else has that surname, the
            # full name came first (news introduces a person by full name), and an honorific
            # does not say otherwise ("Mr. Obama" is not "Michelle Obama").
            # An honorific settles between two people of one surname: "Mr. Obama" is Barack
            # where Michelle Obama is named too.
            owners = [
                c for c in self.clusters
                if c.type == "person" and c.surname == words[0] and (gender is None or c.gender in (None, gender))
            ]
            if len(owners) == 1 and owners[0].first_full is not None and owners[0].first_full < position:
                return owners[0]
        cluster = Cluster(id=f"e{len(self.clusters) + 1}", type=kind)
        self.clusters.append(cluster)
        return cluster

    def _merge_surnames_tagged_as_organizations(self) -> None:
        """The recogniser sometimes tags a bare surname as an organisation ("Trump said"):
        when exactly one person of the article has that surname, it is that person."""
        people = [c for c in self.clusters if c.type == "person"]
        for cluster in [c for c in self.clusters if c.type == "organization"]:
            names = {n.lower() for n in cluster.names}
            if len(names) != 1 or len(next(iter(names)).split()) != 1:
                continue
            owners = [p for p in people if p.surname == next(iter(names))]
            if len(owners) != 1:
                continue
            person = owners[0]
            person.names.extend(cluster.names)
            person.mentions.extend(cluster.mentions)
            self._anchors = [
                _Anchor(a.position, person, a.span, a.salient) if a.cluster is cluster else a for a in self._anchors
            ]
            self.clusters.remove(cluster)

    @staticmethod
    def _learn_titles(ent: Span, cluster: Cluster) -> None:
        doc = ent.doc
        # Words just before the name: "Belarusian President Alexander Lukashenko", "Mr. Obama".
        i = ent.start - 1
        taken = 0
        while i >= 0 and taken < 4:
            token = doc[i]
            if token.lower_ in PARTIES:
                cluster.parties.add(PARTIES[token.lower_])
            if token.lower_ in HONORIFICS:
                if token.lower_ in MALE_HONORIFICS:
                    cluster.gender = "m"
                elif token.lower_ in FEMALE_HONORIFICS:
                    cluster.gender = "f"
            elif token.tag_ in ("NNS", "NNPS"):
                break  # a title is singular: "the loopholes Donald Trump used" gives none
            elif token.pos_ in ("NOUN", "PROPN") and token.ent_type_ in ("", "NORP") and token.is_alpha:
                cluster.titles.add(token.lower_)
            elif token.pos_ != "ADJ" and token.ent_type_ != "NORP":
                break
            i -= 1
            taken += 1
        first = ent[0].lower_
        if first in MALE_NAMES:
            cluster.gender = cluster.gender or "m"
        elif first in FEMALE_NAMES:
            cluster.gender = cluster.gender or "f"
        # Apposition: "Merz, the chancellor," or "the chancellor, Merz,".
        root = ent.root
        for child in root.children:
            if child.dep_ == "appos" and child.pos_ == "NOUN":
                cluster.titles.add(child.lower_)
                # "Gary Johnson, the Libertarian nominee,"
                cluster.parties.update(PARTIES[t.lower_] for t in child.lefts if t.lower_ in PARTIES)
        if root.dep_ == "appos" and root.head.pos_ == "NOUN":
            cluster.titles.add(root.head.lower_)
        if "prime" in cluster.titles and "minister" in cluster.titles:
            cluster.titles.add("prime minister")

    # -- resolving ------------------------------------------------------------------------

    def _before(self, position: int) -> Iterator[_Anchor]:
        """The mentions before ``position``, nearest first (read in place: look-backs stop
        early, so copying the list for each one cost more than the walk)."""
        for i in range(bisect.bisect_left(self._positions, position) - 1, -1, -1):
            yield self._anchors[i]

    def remember(self, cluster: Cluster, span: tuple[int, int]) -> None:
        """Record a resolved mention so that later pronouns and titles can point to it."""
        if span not in cluster.mentions:
            cluster.mentions.append(span)
        i = bisect.bisect_left(self._positions, span[0])
        self._positions.insert(i, span[0])
        self._anchors.insert(i, _Anchor(span[0], cluster, span, salient=True))

    def speaker_cluster(self, mention: Mention, base: int) -> Cluster | None:
        """The entity named inside the mention that is the speaker: the one whose name covers
        the mention's head ("Belarus's Defense Ministry": the ministry), else one in apposition
        to the head ("Russia's foreign minister, Sergei Lavrov"), else one that opens the
        mention ("Minyon Moore, a senior adviser" when the parse chose another head) unless it
        only qualifies the head ("Apple's chief executive" is not Apple, "Clinton aides" not
        Clinton). None when no entity named inside it is the speaker ("advisers to Mr. Obama")."""
        start, end = mention.char_span(base)
        doc = mention.head.doc
        head_at = base + mention.head.idx
        # By position only: one span can be a mention of two entities (a shared surname
        # resolved to one of its owners stays a mention of the bare name too).
        inside = sorted(
            ((s, e, cluster) for cluster in self.clusters for s, e in set(cluster.mentions) if start <= s and e <= end),
            key=lambda found: found[:2],
        )
        for s, e, cluster in inside:
            if s <= head_at < e:
                return cluster
        names = [(s, cluster, doc.char_span(s - base, e - base, alignment_mode="expand")) for s, e, cluster in inside]
        for _, cluster, name in names:
            if name is not None and name.root.dep_ == "appos" and name.root.head.i == mention.head.i:
                return cluster
        for s, cluster, name in names:
            if s == start and not (name is not None and _modifies(name, mention.head)):
                return cluster
        return None

    def resolve(
        self, mention: Mention, base: int, content: Sequence[tuple[int, int]] = ()
    ) -> tuple[Cluster, Resolution] | None:
        """Resolve a speaker mention; None when the article does not settle who it is.
        ``content``: the statement's own content, whose names a pronoun does not refer to
        ("'There is no chance Hillary Clinton will withdraw,' he said")."""
        start, end = mention.char_span(base)
        head = mention.head
        lower = head.lower_
        named = self.speaker_cluster(mention, base)
        shared = self._shared_surname(named, start, content) if named is not None else None
        if shared is not None:
            return shared
        if named is not None:
            method = ResolutionMethod.NAME
            evidence = [(start, end)]
            full = named.full_mention
            if full and not (start <= full[0] and full[1] <= end):
                written = mention.text
                if written.split()[-1:] != named.name.split()[-1:] or len(written.split()) < len(named.name.split()):
                    method = ResolutionMethod.SURNAME
                evidence.append(named.full_mention)
            note = f"the mention names {named.name}"
            return named, Resolution(method=method, evidence=_unique(evidence), note=note)
        if head.pos_ == "PROPN":
            by_name = self._cluster_by_name(mention.text)
            if by_name is not None:
                evidence = _evidence(by_name, (start, end))
                note = f"'{mention.text}' is a name of {by_name.name} used elsewhere in the article"
                return by_name, Resolution(method=ResolutionMethod.SURNAME, evidence=evidence, note=note)
        if lower == "it":
            return self._resolve_it(mention, base, content)
        if lower in PRONOUN_GENDER or lower in ("they", "we", "i"):
            return self._resolve_pronoun(mention, start, content)
        return self._resolve_description(mention, start, end)

    def _shared_surname(
        self, bare: Cluster, start: int, content: Sequence[tuple[int, int]]
    ) -> tuple[Cluster, Resolution] | None:
        """A bare surname that several people of the article share ("Clinton" where Bill and
        Hillary Clinton are both named) is the one of them who last spoke or was a main
        clause's subject before it ("Former President Bill Clinton criticized ... Clinton
        said"); None where it is not such a surname or none of them did."""
        if bare.type != "person" or any(len(name.split()) > 1 for name in bare.names):
            return None
        owners = [c for c in self.clusters if c is not bare and c.type == "person" and c.surname == bare.surname]
        if len(owners) < 2:
            return None
        for anchor in self._looking_back(start, content):
            if anchor.salient and anchor.cluster in owners:
                owner = anchor.cluster
                evidence = _evidence(owner, anchor.span)
                note = (
                    f"'{bare.name}' is the surname of {len(owners)} people of the article; {owner.name} "
                    "is the nearest of them to speak or be a subject before it"
                )
                return owner, Resolution(method=ResolutionMethod.SURNAME, evidence=evidence, note=note)
        return None

    def _cluster_by_name(self, written: str) -> Cluster | None:
        """The one entity whose name or surname is ``written`` (the recogniser sometimes
        misses a repeated name); None when no entity or several have it."""
        words = written.replace("’s", "").replace("'s", "").lower().split()
        words = [w for w in words if w not in HONORIFICS]
        if not words:
            return None
        found = [
            c
            for c in self.clusters
            if any(n.lower().split() == words for n in c.names)
            or (c.type == "person" and len(words) == 1 and c.surname == words[0])
        ]
        return found[0] if len(found) == 1 else None

    def _resolve_pronoun(
        self, mention: Mention, start: int, content: Sequence[tuple[int, int]]
    ) -> tuple[Cluster, Resolution] | None:
        """The entity a pronoun speaker refers back to: of the fitting mentions before it (type,
        gender, within 1,500 characters, not inside the statement itself), the nearest that
        spoke or was a main clause's subject, else the nearest. News keeps its speaker as the topic:
        in "Trump never missed a chance to needle Rand Paul. He claimed ..." the speaker is
        Trump. (Measured and dropped on PolNeAR dev: preferring a mention in the pronoun's own
        sentence, and a mention whose gender is known over one whose gender is not.)"""
        gender = PRONOUN_GENDER.get(mention.head.lower_)
        if gender is None:
            return None  # "they", "we", "I": groups and quoted speakers are left unresolved
        nearest = None
        for anchor in self._looking_back(start, content):
            cluster = anchor.cluster
            if cluster.type != "person" or (cluster.gender and cluster.gender != gender):
                continue
            if anchor.salient:
                return cluster, self._pronoun_resolution(mention, anchor, "the nearest fitting speaker or subject")
            nearest = nearest or anchor
        if nearest is None:
            return None
        return nearest.cluster, self._pronoun_resolution(mention, nearest, "the nearest fitting mention")

    def _resolve_it(
        self, mention: Mention, base: int, content: Sequence[tuple[int, int]]
    ) -> tuple[Cluster, Resolution] | None:
        """"it" as a speaker refers back to the subject before it (over two sentences besides
        the statement's own), and only where that subject is an organisation the article names
        ("The FBI needs to stay out of this election unless it wants ..."). Most often it is
        not: a report, a statement, a video, a campaign ("Donald Trump's campaign is defending
        his tweets. It's denouncing ..."), and then "it" stays unresolved rather than taking
        the nearest organisation's name."""
        doc = mention.head.doc
        sentences = 0
        for token in reversed(doc[: mention.head.i]):
            if holds(content, (base + token.idx, base + token.idx + 1)):
                continue  # the statement's own words: "'... he is known for,' it further wrote"
            if token.is_sent_end and token.i < mention.head.i - 1:
                sentences += 1
                if sentences > 2:
                    return None
            if token.dep_ not in ("nsubj", "nsubjpass") or token.pos_ == "PRON":
                continue
            position = base + token.idx
            for anchor in self._before(position + 1):
                s, e = anchor.span
                if s <= position < e:
                    if anchor.cluster.type != "organization":
                        return None
                    return anchor.cluster, self._pronoun_resolution(mention, anchor, "the subject before it")
                if e < position:
                    break
            return None
        return None

    def _looking_back(self, start: int, content: Sequence[tuple[int, int]]) -> Iterator[_Anchor]:
        """The mentions before ``start``, nearest first, within 1,500 characters, less those
        inside the statement's own ``content``: what a pronoun or a bare surname may mean."""
        for anchor in self._before(start):
            if start - anchor.position > 1500:
                return
            if not holds(content, anchor.span):
                yield anchor

    @staticmethod
    def _pronoun_resolution(mention: Mention, anchor: _Anchor, why: str) -> Resolution:
        cluster = anchor.cluster
        note = f"'{mention.text}' refers back to {cluster.name}, {why}"
        return Resolution(method=ResolutionMethod.PRONOUN, evidence=_evidence(cluster, anchor.span), note=note)

    def _resolve_description(self, mention: Mention, start: int, end: int) -> tuple[Cluster, Resolution] | None:
        doc = mention.head.doc
        words = [t.lower_ for t in doc[mention.start : mention.end]]
        if not words or words[0] not in ("the", "this", "that"):
            return None
        phrase = " ".join(words[1:])
        head = mention.head.lower_
        if head in INSTITUTION_NOUNS:
            return self._resolve_organization(mention, start)  # "the network" is no person's title
        if mention.head.tag_ in ("NNS", "NNPS"):
            return None  # "the developers": several people, not one named before
        parties = {PARTIES[w] for w in words[1:] if w in PARTIES}
        if phrase in DESCRIPTORS:
            titles, method = DESCRIPTORS[phrase], ResolutionMethod.DESCRIPTOR
        elif head in DESCRIPTORS and len(words) <= 3:
            titles, method = DESCRIPTORS[head] | {head}, ResolutionMethod.TITLE
        else:
            titles, method = frozenset({head}), ResolutionMethod.TITLE
        candidates = {}
        for anchor in self._before(start):
            cluster = anchor.cluster
            if cluster.type != "person" or not cluster.titles & titles:
                continue
            if parties and cluster.parties and not parties & cluster.parties:
                continue  # "the Democratic nominee" is not the Republican nominee
            candidates.setdefault(cluster.id, (cluster, anchor))
        if not candidates:
            return None
        # Several people with the title: the description picks the most recently mentioned.
        cluster, anchor = next(iter(candidates.values()))
        title = sorted(cluster.titles & titles)[0]
        note = f"'{mention.text}' matches the title '{title}' of {cluster.name}"
        evidence = _evidence(cluster, anchor.span)
        return cluster, Resolution(method=method, evidence=evidence, note=note)

    def _resolve_organization(self, mention: Mention, start: int) -> tuple[Cluster, Resolution] | None:
        """"the ministry" after "the Defense Ministry", "the department" after "the Department
        of Justice": the most recently mentioned organisation whose name has the description's
        head noun as its own. A capitalised head is a name of its own ("the House" is not the
        White House) and stays unresolved; so does a head noun that is not an institution's
        ("the state" is not the Islamic State)."""
        head = mention.head
        if head.lower_ not in INSTITUTION_NOUNS or not head.text.islower() or head.tag_ in ("NNS", "NNPS"):
            return None
        # Its other words must be in the name too: "the appeals court" is the Court of
        # Appeals, not the Supreme Court mentioned last.
        doc = head.doc
        modifiers = {t.lower_ for t in doc[mention.start + 1 : head.i] if t.is_alpha}
        for anchor in self._before(start):
            cluster = anchor.cluster
            if cluster.type != "organization":
                continue
            names = [name.lower().split() for name in cluster.names]
            if any(_head_word(words) == head.lower_ and modifiers <= set(words) for words in names):
                note = f"'{mention.text}' refers back to {cluster.name}, whose name has the head noun '{head.lower_}'"
                evidence = _evidence(cluster, anchor.span)
                return cluster, Resolution(method=ResolutionMethod.HEAD_NOUN, evidence=evidence, note=note)
        return None

    def entities(self) -> list[Entity]:
        return [
            Entity(id=c.id, name=c.name, type=c.type, mentions=sorted(set(c.mentions)))
            for c in self.clusters
        ]


def _head_word(words: list[str]) -> str:
    """The head noun of an organisation's name (its lower-case words): its last word
    ("Defense Ministry"), or the word before its first preposition ("Department of Justice",
    "Commission on Presidential Debates")."""
    for i, word in enumerate(words[1:], start=1):
        if word in ("of", "on", "for"):
            return words[i - 1]
    return words[-1] if words else ""


def _modifies(name: Span, head: Token) -> bool:
    """Whether the name only qualifies the mention's head: a possessor ("Apple's chief
    executive", "the Saudis' envoy") or a modifier ("Clinton aides", "White House
    officials")."""
    doc = name.doc
    if name.end < len(doc) and doc[name.end].lower_ in ("'s", "’s", "'", "’"):
        return True
    return name.root.head.i == head.i and name.root.dep_ in ("compound", "amod", "nmod", "poss", "npadvmod")


def _evidence(cluster: Cluster, span: tuple[int, int]) -> list[tuple[int, int]]:
    """The evidence of a resolution: the mention it rests on and the entity's full name."""
    return _unique([span] + ([cluster.full_mention] if cluster.full_mention else []))


def _unique(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return sorted(set(spans))
