"""What the API's lists send and receive: organisations, sites, teams, categories (with their
form fields), states and users."""

from ninja import Field, Schema

from .schemas import MAX_ID, Id


class PageQuery(Schema):
    after: int = Field(0, ge=0, le=MAX_ID, description="The last id of the previous page.")
    limit: int = Field(100, ge=1, le=500)


class OrganisationOut(Schema):
    id: int
    name: str
    language: str
    timezone: str
    share_contact_with_vendors: bool


class OrganisationIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email_domains: str = Field("", max_length=500)
    language: str = Field("en", max_length=8)
    timezone: str = Field("UTC", max_length=64)
    share_contact_with_vendors: bool = False


class SiteOut(Schema):
    id: int
    name: str
    code: str
    organisation_id: int


class SiteIn(Schema):
    organisation_id: Id
    name: str = Field(min_length=1, max_length=200)
    code: str = Field("", max_length=50)


class TeamOut(Schema):
    id: int
    name: str
    level: str
    email: str


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    level: str = Field(examples=["1"], description="1, 2 or vendor")
    email: str = Field("", max_length=254)


class FormField(Schema):
    name: str = Field(min_length=1, max_length=50)
    label: str = Field("", max_length=200)
    type: str = Field("text", description="text, textarea, url or choice")
    required: bool = False
    choices: list[str] = []


class CategoryOut(Schema):
    id: int
    name: str
    full_name: str
    parent_id: int | None
    description: str
    is_software: bool
    software_fields: list[str] = Field(description="Asked of software problems.")
    extra_fields: list[FormField]
    default_team_id: int | None
    routes_to_level_2: bool
    is_active: bool


class CategoryIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    parent_id: Id | None = None
    description: str = Field("", max_length=10_000)
    is_software: bool = False
    extra_fields: list[FormField] = []
    default_team_id: Id | None = None
    routes_to_level_2: bool = False
    is_active: bool = True


class StateOut(Schema):
    id: int
    name: str
    category: str
    is_default: bool
    position: int


class UserOut(Schema):
    id: int
    name: str
    role: str
    email: str
    organisation_id: int | None
    vendor_id: int | None
