"""Pages that fit: every table of each role's main pages readable at 1280 px and usable
at 375 px (a phone): no horizontal scroll of the page, none hiding a table's last
column (its actions)."""

import pytest

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
