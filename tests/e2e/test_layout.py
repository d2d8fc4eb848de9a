"""Pages that fit: every table of each role's main pages readable at 1280 px and usable
at 375 px (a phone): no horizontal scroll of the page, none hiding a table's last
column (its actions)."""

import pytest
from playwright.sync_api import expect

PAGES = {
    "enseignant": ["/formations/", "/mes-formations/", "/mon-parcours/", "/mes-besoins/"],
    "directeur": ["/validation/", "/suivi/", "/referents/etablissement/", "/plan-de-formation/"],
    "formateur": ["/sessions-animees/", "/suivi/"],
    "gestionnaire": [
        "/formations/",
        "/formations/programmes/",
        "/imports/",
        "/comptes/personnels/",
        "/etablissements/",
        "/referents/paie/",
    ],
    "auditeur": ["/audit/anomalies/", "/referents/rapports/academie/", "/audit/historique/"],
}

MEASURE = """() => {
  const scrolled = (table) => {
    let most = Math.max(0, Math.round(table.getBoundingClientRect().right - window.innerWidth));
    for (let node = table.parentElement; node && node !== document.body;
         node = node.parentElement) {
      const style = getComputedStyle(node);
      if (["auto", "scroll"].includes(style.overflowX)) {
        most = Math.max(most, node.scrollWidth - node.clientWidth);
      }
    }
    return most;
  };
  const tables = [...document.querySelectorAll("table")].map((table) => ({
    caption: (table.caption && table.caption.textContent.trim().slice(0, 60)) || "",
    overflow: scrolled(table),
  }));
  return {page: document.documentElement.scrollWidth - window.innerWidth, tables};
}"""


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("account", list(PAGES))
def test_tables_fit_the_screen(page, login, account, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(account)
    misfits = {}
    for path in PAGES[account]:
        page.goto(path)
        measured = page.evaluate(MEASURE)
        wide = [t for t in measured["tables"] if t["overflow"] > 2]
        if measured["page"] > 2 or wide:
            misfits[path] = {"page": measured["page"], "tables": wide}
    assert misfits == {}, f"{account} at {width} px: {misfits}"


def test_a_long_list_of_colleagues_narrows_as_one_types(page, login):
    login("referent")
    page.goto("/referents/tableau-de-bord/")
    box = page.get_by_role("searchbox", name="Filtrer la liste")
    expect(box).to_be_visible()
    groups = page.locator(".dune-search").locator("xpath=..").locator(".fr-checkbox-group")
    total = groups.count()
    assert total >= 8
    first_name = groups.first.inner_text().strip()
    box.fill(first_name)
    visible = [g for g in groups.all() if g.is_visible()]
    assert 1 <= len(visible) < total
    assert all(first_name.lower() in g.inner_text().lower() for g in visible)
    box.fill("")
    assert len([g for g in groups.all() if g.is_visible()]) == total
