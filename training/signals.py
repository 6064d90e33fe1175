"""Signals other apps listen to. Training knows nothing about its listeners (certification
depends on training, never the reverse); what they did comes back as FollowUp notes that the
page shows to whoever made the change.
"""

from dataclasses import dataclass

from django.dispatch import Signal

# Sent by services.refresh_records, inside its transaction and after the enrolment's new result
# is saved, for every enrolment of a finished run whose result changed (a first decision at
# 结业 has old_result None). Keyword arguments: enrollment, old_result, new_result (TrainingResult
# values) and user (who made the change; None for commands and the demo). A receiver may
# return a FollowUp, a list of them, or None; raising TrainingError refuses the change (the
# whole transaction is rolled back and the message shown).
result_changed = Signal()


@dataclass(frozen=True)
class FollowUp:
    """Something a receiver did because a result changed, told to the user.

    `summary` says it for n of a kind, with "{n}" for the count (e.g. "已自动撤销 {n} 张证书");
    `item` names this one (e.g. a certificate number).
    """

    summary: str
    item: str = ""


def describe(follow_ups):
    """One sentence per kind: "已自动撤销 2 张证书（QJTY-2026-000001、QJTY-2026-000002）。"."""
    groups = {}
    for follow_up in follow_ups:
        groups.setdefault(follow_up.summary, []).append(follow_up.item)
    parts = []
    for summary, items in groups.items():
        named = [i for i in items if i]
        parts.append(summary.format(n=len(items)) + (f"（{'、'.join(named)}）" if named else "") + "。")
    return "".join(parts)


def collect(responses):
    """The FollowUps in the (receiver, response) pairs that Signal.send returns."""
    found = []
    for _receiver, response in responses:
        if isinstance(response, FollowUp):
            found.append(response)
        elif isinstance(response, (list, tuple)):
            found.extend(r for r in response if isinstance(r, FollowUp))
    return found
