"""Readable summaries of analyses for people at a terminal (`analyze --summary`, `make demo`)."""

from __future__ import annotations

from newsledger.model import Analysis


def clip(s: str, n: int = 90) -> str:
    """`s` on one line, cut to `n` characters with an ellipsis."""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def summary(a: Analysis) -> str:
    art = a.article
    lines = [f"━━ {art.title or '(untitled)'}  [{art.id}]"]
    date = f"published {art.published or 'unknown'}"
    if art.reference_date and art.reference_date != art.published:
        date += f", speaks from {art.reference_date}"
    lines.append(f"   {date}; {len(art.text.split())} words; {len(art.excluded)} excluded spans"
                 + (f"; site {art.site}" if art.site else ""))
    for f in (*art.flags, *a.flags):
        lines.append(f"   ⚑ {f.code}: {clip(f.message, 110)}")
    people = [e for e in a.entities if e.type == "PERSON"]
    if people:
        lines.append("   people:")
        for e in sorted(people, key=lambda e: -len(e.mentions)):
            extra = ", ".join(x for x in (", ".join(e.roles), e.affiliation or "") if x)
            label = f"{e.name} ({extra})" if extra else e.name
            lines.append(f"     • {label} — {len(e.mentions)} mentions")
    others = [e for e in a.entities if e.type != "PERSON"]
    if others:
        top = sorted(others, key=lambda e: -len(e.mentions))[:8]
        lines.append("   also: " + ", ".join(f"{e.name} [{e.type}]" for e in top))
    if a.quotes:
        lines.append(f"   quotes ({len(a.quotes)}):")
    for q in a.quotes:
        who = q.speaker.name if q.speaker else "unattributed"
        via = f" via {', '.join(v.name for v in q.via)}" if q.via else ""
        lines.append(f"     ❝ {who}{via} [{q.kind}, {q.date or 'undated'}]: {clip(q.text, 80)}")
    amounts = {x.id: x for x in a.amounts}
    if a.events:
        lines.append(f"   events ({len(a.events)}):")
    for ev in a.events:
        actor = ev.actor.name if ev.actor else "?"
        target = f" → {ev.target.name}" if ev.target else ""
        mode = f"/{ev.mode}" if ev.mode else ""
        linked = "".join(f" [{amounts[i].text}]" for i in ev.amounts if i in amounts)
        lines.append(f"     ◆ {ev.category}{mode} ({ev.modality}, {ev.date or 'undated'}) {actor}{target}: "
                     f"“{clip(ev.trigger.text, 40)}”{linked}")
    money = [x for x in a.amounts if x.kind == "money"]
    if money:
        lines.append("   money: " + "; ".join(
            f"{x.text} = {x.value:,.0f} {x.currency or '?'}{' (inferred)' if x.currency_inferred else ''}"
            for x in money if x.value is not None))
    return "\n".join(lines)
