from django.core.exceptions import ValidationError
from django.db.models import Q
from ninja import Field, FilterSchema, ModelSchema, Schema
from pydantic import field_validator

from training.models import Academy, School, SchoolKind
from training.models.directory import school_search
from training.schemas.fields import AcademyCode, InSchema, QueryText, Uai
from training.validators import normalize_uai, validate_uai


class RoleOut(Schema):
    code: str
    label: str
    school_uai: str | None = None
    school_name: str | None = None
    academy_code: str | None = None
    academy_name: str | None = None


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    email: str
    staff_id: str | None
    roles: list[RoleOut]


class AcademyOut(ModelSchema):
    class Meta:
        model = Academy
        fields = ["code", "name"]


class SchoolOut(ModelSchema):
    academy_code: str
    district_name: str | None
    kind_label: str

    class Meta:
        model = School
        fields = ["uai", "name", "kind", "degree", "city"]

    @staticmethod
    def resolve_academy_code(obj: School) -> str:
        return obj.academy.code

    @staticmethod
    def resolve_district_name(obj: School) -> str | None:
        return obj.district.name if obj.district else None

    @staticmethod
    def resolve_kind_label(obj: School) -> str:
        return obj.get_kind_display()


class SchoolFilter(FilterSchema):
    academy: AcademyCode | None = None
    kind: SchoolKind | None = None
    degree: int | None = None
    q: QueryText | None = None

    def filter_academy(self, value):
        return Q(academy__code=value) if value else Q()

    def filter_q(self, value):
        return school_search(value)


class SchoolIn(InSchema):
    uai: Uai
    name: str = Field(max_length=200)
    kind: SchoolKind
    academy: AcademyCode
    district_id: int | None = None
    city: str = Field("", max_length=100)

    @field_validator("uai")
    @classmethod
    def uai_is_valid(cls, value: str) -> str:
        value = normalize_uai(value)
        try:
            validate_uai(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        return value
