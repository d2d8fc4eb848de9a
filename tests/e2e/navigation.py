"""The main menu as a person uses it: open the group, then follow the link."""

import re


def follow_menu(page, group: str, link: str) -> None:
    """Click ``link`` in the main menu's ``group`` (a group of one entry is a plain
    link)."""
    nav = page.get_by_role("navigation", name="Menu principal")
    button = nav.get_by_role("button", name=group, exact=True)
    if button.count():
        if button.get_attribute("aria-expanded") != "true":
            button.click()
        nav.locator(f"#{button.get_attribute('aria-controls')}").get_by_role(
            "link", name=re.compile(f"^{re.escape(link)}$")
        ).click()
    else:
        nav.get_by_role("link", name=link, exact=True).click()
