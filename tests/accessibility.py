"""axe-core in the browser tests: the serious and critical violations of a page."""

from __future__ import annotations


def serious_accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
