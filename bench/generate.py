"""Generated briefs of any length, for seeing how the cost of a build grows with its size."""

from __future__ import annotations

import json

SENTENCES = (
    "Both governments restated their positions without moving from them.",
    "Trade between the two economies fell for the third year running, led by chemicals and machinery.",
    "Public opinion in each country has hardened, and leaders see little to gain from compromise.",
    "An intermediary could offer both sides a way to move without appearing to concede.",
    "Courts, not cabinets, now set the pace, which leaves diplomats reacting to rulings.",
    "Security cooperation continued quietly, insulated from the political dispute.",
)


def paragraph(seed: int, sentences: int = 6) -> str:
    return " ".join(SENTENCES[(seed + index) % len(SENTENCES)] for index in range(sentences))


def generated_brief(scale: int) -> str:
    """A valid brief whose every section grows with `scale` (1 gives about four A4 pages)."""
    data = {
        "meta": {"title": f"A generated brief at scale {scale}", "subtitle": "How the cost of a build grows",
                 "series": "Benchmarks", "identifier": f"BENCH-{scale}", "date": "2026-01-15", "language": "en",
                 "authors": [{"name": "Ada Analyst", "affiliation": "Bench Institute"}],
                 "keywords": ["benchmark"]},
        "summary": [paragraph(index, 2) for index in range(3)],
        "background": {
            "body": "\n\n".join(paragraph(index) for index in range(3 * scale)),
            "timeline": [{"date": 1960 + index, "event": paragraph(index, 1)} for index in range(4 * scale)],
            "figures": [{"value": f"{10 + index}%", "label": paragraph(index, 1), "source": "s1"}
                        for index in range(2)],
        },
        "legal_deadlock": {
            "body": "\n\n".join(paragraph(index + 1) for index in range(2 * scale)),
            "positions": [{"party": f"Party {index + 1}", "stance": paragraph(index, 2)} for index in range(2)],
            "rulings": [{"date": 2000 + index, "court": f"Court {index + 1}", "holding": paragraph(index, 2)}
                        for index in range(2 * scale)],
        },
        "expert_proposals": {"proposals": [
            {"expert": {"name": f"Expert {index + 1}", "role": "Professor", "affiliation": "A University"},
             "proposal": paragraph(index, 3), "quote": paragraph(index + 2, 1), "source": "s1"}
            for index in range(2 * scale)]},
        "outlook": {"body": "\n\n".join(paragraph(index + 2) for index in range(2 * scale)),
                    "signposts": [{"date": f"2026-{index % 12 + 1:02}", "item": paragraph(index, 1)}
                                  for index in range(3 * scale)]},
        "sources": [{"id": "s1", "title": "A source", "publisher": "A publisher", "date": 2025}],
    }
    return json.dumps(data, indent=1)
