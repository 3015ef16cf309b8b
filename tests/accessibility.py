"""axe-core in the browser tests: the serious and critical violations of a page."""

from __future__ import annotations

# axe.run's promise has no deadline of its own, and Playwright's evaluate waits for it
# without one: a frame that never answers axe's messages would hang the suite. Past
# this, the check fails instead.
AXE_DEADLINE_MS = 30_000


def serious_accessibility_problems(page, *, inside_frames: bool = True) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now. With
    ``inside_frames=False`` the page's own document only: for a page that frames another
    site's page (an embed's host page) whose content its own tests check."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    options = {"resultTypes": ["violations"], "iframes": inside_frames}
    response = page.evaluate(
        """([options, deadline]) => Promise.race([
            axe.run(document, options),
            new Promise((_, fail) => setTimeout(
                () => fail(new Error(`axe did not finish in ${deadline} ms`)), deadline)),
        ])""",
        [options, AXE_DEADLINE_MS],
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
