"""The main menu as a person uses it: open the group, then follow the link."""

import re

from playwright.sync_api import expect


def follow_menu(page, group: str, link: str) -> None:
    """Click ``link`` in the main menu's ``group`` (a group of one entry is a plain
    link). The menu opens once the DSFR's script has started: until its button says it
    is expanded, it is clicked again."""
    nav = page.get_by_role("navigation", name="Menu principal")
    button = nav.get_by_role("button", name=group, exact=True)
    if not button.count():
        nav.get_by_role("link", name=link, exact=True).click()
        return
    menu = nav.locator(f"#{button.get_attribute('aria-controls')}")
    target = menu.get_by_role("link", name=re.compile(f"^{re.escape(link)}$"))
    for _attempt in range(10):
        if button.get_attribute("aria-expanded") != "true":
            button.click()
        try:
            expect(target).to_be_visible(timeout=1_500)
            break
        except AssertionError:
            continue
    target.click()
