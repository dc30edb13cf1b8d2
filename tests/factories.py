import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@numerique.gouv.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    class Params:
        staff = factory.Trait(is_staff=True)
        inactive = factory.Trait(is_active=False)
        # Declarations of a trusted agent are published without review.
        trusted = factory.Trait(trusted_at=factory.LazyFunction(timezone.now))
        outsider = factory.Trait(email=factory.Sequence(lambda n: f"person{n}@example.com"))


class PublicBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.PublicBody"

    pso_id = factory.Sequence(lambda n: f"pso-{n:04}")
    name = factory.Sequence(lambda n: f"Organisme public {n}")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify(o.name)}-{n}" if o.name else None)


class ForgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Forge"
        django_get_or_create = ("host",)

    host = "github.com"
    kind = "github"
    api_url = factory.LazyAttribute(
        lambda o: "https://api.github.com" if o.host == "github.com" else f"https://{o.host}/api/v4"
    )

    class Params:
        gitlab = factory.Trait(host="gitlab.example.fr", kind="gitlab")


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Owner"

    forge = factory.SubFactory(ForgeFactory)
    path = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.LazyAttribute(lambda o: o.path.title())


class RepositoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Repository"

    owner = factory.SubFactory(OwnerFactory)
    forge = factory.LazyAttribute(lambda o: o.owner.forge)
    remote_id = factory.Sequence(str)
    name = factory.Sequence(lambda n: f"depot-{n}")
    full_path = factory.LazyAttribute(lambda o: f"{o.owner.path}/{o.name}")
    web_url = factory.LazyAttribute(lambda o: f"https://{o.forge.host}/{o.full_path}")
    description = "Un dépôt de code public."
    license_spdx = "MIT"
    language = "Python"
    score = 50

    class Params:
        archived = factory.Trait(is_archived=True)
        fork = factory.Trait(is_fork=True)
        gone = factory.Trait(gone_since=factory.LazyFunction(timezone.now))


class ManifestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Manifest"

    repository = factory.SubFactory(RepositoryFactory)
    path = "requirements.txt"
    ecosystem = "pypi"


class DependencyFactory(factory.django.DjangoModelFactory):
    """A runtime dependency on Django in requirements.txt, unless told otherwise."""

    class Meta:
        model = "catalog.Dependency"

    repository = factory.SubFactory(RepositoryFactory)
    manifest = "requirements.txt"
    ecosystem = "pypi"
    name = "django"
    purl = factory.LazyAttribute(lambda o: f"pkg:{o.ecosystem}/{o.name}")
    requirement = ">=4.2"
    scope = "runtime"

    class Params:
        development = factory.Trait(scope="development")


class SoftwareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sill.Software"

    name = factory.Sequence(lambda n: f"Logiciel {n}")
    slug = factory.Sequence(lambda n: f"logiciel-{n}")
    function = "Traitement de texte"
    license = "MPL-2.0"

    class Params:
        proposed = factory.Trait(moderation_status="pending")


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contributions.Contribution"

    author = factory.SubFactory(UserFactory)
    public_body = factory.SubFactory(PublicBodyFactory)
    project_name = factory.Sequence(lambda n: f"Projet {n}")
    project_url = factory.Sequence(lambda n: f"https://github.com/upstream/projet-{n}")
    kind = "code"
    evidence_urls = factory.LazyAttribute(lambda o: [f"{o.project_url}/pull/1"])
    started_on = factory.LazyFunction(lambda: timezone.localdate())
    description = "Correction d’un bogue d’accessibilité."

    class Params:
        pending = factory.Trait(moderation_status="pending")


class UnpublishedCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contributions.UnpublishedCode"

    author = factory.SubFactory(UserFactory)
    public_body = factory.SubFactory(PublicBodyFactory)
    name = factory.Sequence(lambda n: f"Outil interne {n}")
    description = "Un outil de gestion des congés."
    technologies = ["Python", "Django"]
    reason = "Le code contient encore des secrets à retirer."
    contact = factory.LazyAttribute(lambda o: o.author.email if o.author else "dsi@example.gouv.fr")

    class Params:
        pending = factory.Trait(moderation_status="pending")


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sill.Declaration"

    user = factory.SubFactory(UserFactory)
    public_body = factory.SubFactory(PublicBodyFactory)
    software = factory.SubFactory(SoftwareFactory)
    kind = "user"
    use_case = "Bureautique de tous les agents."

    class Params:
        pending = factory.Trait(moderation_status="pending")
        referent = factory.Trait(kind="referent")


class InstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sill.Instance"

    user = factory.SubFactory(UserFactory)
    public_body = factory.SubFactory(PublicBodyFactory)
    software = factory.SubFactory(SoftwareFactory)
    url = factory.Sequence(lambda n: f"https://instance-{n}.example.gouv.fr")
    audience = "Les agents du ministère"

    class Params:
        pending = factory.Trait(moderation_status="pending")
