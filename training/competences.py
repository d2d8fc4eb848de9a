"""The C2i2e certification rule (FACTS.md) and a person's progress against it.

The rule is data of the framework (``Framework.min_validated_items``,
``max_missing_per_domain``, ``min_situations``); ``progress`` applies it to the items a
person has validated and the situations he led (pure), ``progress_of`` loads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from training.models import Framework, Item, ItemEvidence, Staff, TeachingSituation


@dataclass
class DomainProgress:
    code: str
    title: str
    total: int
    validated: int
    max_missing: int | None
    missing_items: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.total - self.validated

    @property
    def ok(self) -> bool:
        return self.max_missing is None or self.missing <= self.max_missing


@dataclass
class Progress:
    framework: Framework
    domains: list[DomainProgress]
    situations: int = 0  # teaching or training situations led and validated

    @property
    def validated(self) -> int:
        return sum(d.validated for d in self.domains)

    @property
    def total(self) -> int:
        return sum(d.total for d in self.domains)

    @property
    def still_needed(self) -> int:
        return max(0, self.framework.min_validated_items - self.validated)

    @property
    def situations_needed(self) -> int:
        return max(0, self.framework.min_situations - self.situations)

    @property
    def eligible(self) -> bool:
        return (
            self.still_needed == 0
            and self.situations_needed == 0
            and all(d.ok for d in self.domains)
        )


def progress(
    *, framework: Framework, items_by_domain: dict, validated_codes: set[str], situations: int = 0
) -> Progress:
    """The certification rule, read from the framework's data: at least
    ``min_validated_items`` validated in all, at most ``max_missing_per_domain`` not
    validated in each competence, and at least ``min_situations`` teaching or training
    situations led by the candidate. Pure: the caller loads the items and evidence."""
    domains = []
    for domain, codes in items_by_domain.items():
        done = [c for c in codes if c in validated_codes]
        domains.append(
            DomainProgress(
                code=domain.code,
                title=domain.title,
                total=len(codes),
                validated=len(done),
                max_missing=framework.max_missing_per_domain,
                missing_items=[c for c in codes if c not in validated_codes],
            )
        )
    return Progress(framework=framework, domains=domains, situations=situations)


def progress_of(staff: Staff, framework: Framework) -> Progress:
    items_by_domain: dict = {}
    for item in (
        Item.objects.filter(domain__framework=framework)
        .select_related("domain")
        .order_by("domain__order", "order")
    ):
        items_by_domain.setdefault(item.domain, []).append(item.code)
    validated = set(
        ItemEvidence.objects.filter(
            staff=staff, item__domain__framework=framework, state=ItemEvidence.State.VALIDATED
        ).values_list("item__code", flat=True)
    )
    # The situations count only once the items are enough: no query otherwise.
    situations = (
        TeachingSituation.objects.filter(staff=staff).count()
        if framework.min_situations and len(validated) >= framework.min_validated_items
        else 0
    )
    return progress(
        framework=framework,
        items_by_domain=items_by_domain,
        validated_codes=validated,
        situations=situations,
    )
