import factory
from django.utils import timezone

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


class PublicBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.PublicBody"

    pso_id = factory.Sequence(lambda n: f"pso-{n:04}")
    name = factory.Sequence(lambda n: f"Organisme public {n}")


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
