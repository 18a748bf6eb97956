"""One happening, one event: document-level consolidation of the coded events.

A news article tells an attack or an arrest several times: the headline names the group that
claimed it, the lede the soldiers killed, a later paragraph the police who made the arrests.
The sentence coder sees each telling alone and gives each the parties it names. Following the
conventions of ``shared/spec/EVENTS.md`` ("Who takes part"), this stage puts those pieces
together and keeps one event per happening:

- an attack told once by its author and once by its victims is one attack by the one on the
  other (``merge_attack_sides``);
- arrests in a document about a cell of a named group are arrests of that group's members
  (``add_arrested_group``);
- an arrested person's state is not a party to the arrest (``without_suspects_states``);
- the armed group that states agree or cooperate against is not their partner
  (``without_cooperation_targets``);
- a telling with fewer parties than another of the same type is the same event, partly
  told (``drop_partial_repeats``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from veille.model import QUADS, Actor, Event, Signals

#: Verbal and material cooperation (PLOVER quads 1 and 2, but for retreats).
COOPERATIVE_TYPES = frozenset(
    {*QUADS["verbal_cooperation"], *QUADS["material_cooperation"]} - {"RETREAT"}
)
#: Sectors of armed non-state actors: the authors of attacks and the groups of arrested cells.
ARMED_SECTORS = frozenset({"REB", "UAF", "CRM"})
ARREST_MODES = frozenset({"arrest", "seize"})


def consolidate(events: Iterable[Event]) -> list[Event]:
    """The document's events after the steps above, one event per key."""
    events = [without_cooperation_targets(without_suspects_states(e)) for e in events]
    events = merge_attack_sides(events)
    events = add_arrested_group(events)
    return drop_partial_repeats(events)


def is_armed_group(actor: Actor) -> bool:
    return not actor.is_state and (actor.code == "IMG" or bool(ARMED_SECTORS & set(actor.sector)))


def _is_arrest(event: Event) -> bool:
    return event.event == "COERCE" and bool(ARREST_MODES & set(event.mode))


def without_suspects_states(event: Event) -> Event:
    """ "Un Marocain arrêté en Espagne" is Spain's arrest: the state of an arrested person is
    no party (the spec's convention), the group they belong to is."""
    if not _is_arrest(event):
        return event
    if not event.actor:
        if _all_states(event.recipient):
            # "Neuf arrestations entre l'Espagne et le Maroc": with no one named as the
            # arrester and no group, the states named are where, so who, arrested.
            return replace(event, actor=list(event.recipient), recipient=[])
        return event
    recipients = [a for a in event.recipient if not a.is_state]
    if len(recipients) == len(event.recipient):
        return event
    return replace(event, recipient=recipients)


def without_cooperation_targets(event: Event) -> Event:
    """ "Le Maroc et le Niger s'engagent à échanger les informations sur l'EIGS": a group that
    two states cooperate on or against is the object of their cooperation, no partner in it.
    (Support given to a group by one party, "soutien au Polisario", keeps the group.)"""
    if event.event not in COOPERATIVE_TYPES:
        return event
    states = {a.identity for a in (*event.actor, *event.recipient) if a.is_state}
    if len(states) < 2:
        return event
    recipients = [a for a in event.recipient if not is_armed_group(a)]
    if len(recipients) == len(event.recipient):
        return event
    return replace(event, recipient=recipients)


def merge_attack_sides(events: Sequence[Event]) -> list[Event]:
    """An attack known by its author alone (a claim, "l'attaque menée par l'EIGS") and one
    known by its victims alone ("27 soldats nigériens tués") are the same attack when the
    document tells no other: each author-only attack takes the nearest victim-only one. An
    author the document already shows attacking someone keeps its claim as told ("JNIM a
    revendiqué plusieurs attaques récentes" beside "le JNIM a attaqué une base malienne")."""
    told = {a.identity for e in events if e.event == "ASSAULT" and e.recipient for a in e.actor}
    authors = [
        e
        for e in events
        if e.event == "ASSAULT"
        and not e.recipient
        and _all_armed(e.actor)
        and not told & {a.identity for a in e.actor}
    ]
    victims = [
        e
        for e in events
        # states, or missions of an organisation ("un convoi de la MINUSMA"), not groups
        if e.event == "ASSAULT"
        and not e.actor
        and e.recipient
        and not any(is_armed_group(a) for a in e.recipient)
    ]
    if not authors or not victims:
        return list(events)
    merged: list[Event] = []
    for author in authors:
        victim = min(victims, key=lambda v: abs(v.start - author.start))
        merged.append(
            replace(
                author,
                recipient=list(victim.recipient),
                signals=derived_signals(author),
            )
        )
    return [*events, *merged]


def add_arrested_group(events: Sequence[Event]) -> list[Event]:
    """When the arrests of a document name one armed group as the suspects' ("membres
    présumés de Daech"), its other arrests without a group are arrests of that group too."""
    groups = {
        a.identity: a for e in events if _is_arrest(e) for a in e.recipient if is_armed_group(a)
    }
    if len(groups) != 1:
        return list(events)
    (group,) = groups.values()
    result = []
    for event in events:
        if (
            _is_arrest(event)
            and event.actor
            and not any(is_armed_group(a) for a in event.recipient)
        ):
            event = replace(event, recipient=[*event.recipient, group])
        result.append(event)
    return result


def drop_partial_repeats(events: Sequence[Event]) -> list[Event]:
    """Drop an event when the document gives the same type with more parties.

    "Le JNIM a attaqué un camp de l'armée burkinabè, tuant douze soldats": the killing is the
    same assault, once with its target and once without; an article that first says "le Maroc
    a arrêté un homme" and then "la DGST a arrêté un partisan de Daech" tells one arrest.
    Cooperation between two states stays beside a larger one ("un exercice entre la Tunisie,
    le Maroc et les États-Unis", then "le Maroc et les États-Unis ont débuté l'exercice"):
    the pair is often the event itself and the coalition its setting.
    """
    best: dict[tuple[str, frozenset[str]], Event] = {}
    for event in events:
        if any(
            other.event == event.event
            and event.participants < other.participants
            and (event.event not in COOPERATIVE_TYPES or len(event.participants) < 2)
            # A background event ("an ambush in October 2017") does not retell today's.
            and other.historical == event.historical
            for other in events
        ):
            continue
        key = (event.event, event.participants)
        if key not in best or event.start < best[key].start:
            best[key] = event
    return list(best.values())


def derived_signals(event: Event, event_type: str | None = None) -> Signals:
    """The signals of an event put together from several tellings (or derived from another
    event, as a joint action's cooperation, then of ``event_type``)."""
    event_type = event_type or event.event
    return replace(event.signals or Signals(event_type), event=event_type, derived=True)


def _all_armed(actors: Sequence[Actor]) -> bool:
    return bool(actors) and all(is_armed_group(a) for a in actors)


def _all_states(actors: Sequence[Actor]) -> bool:
    return bool(actors) and all(a.is_state for a in actors)
