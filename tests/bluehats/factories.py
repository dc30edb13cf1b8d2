"""Factories of the BlueHats rows (kept here: tests/factories.py is shared by every app)."""

from datetime import datetime, timedelta

import factory
from django.utils import timezone

from bluehats.models import PARIS
from tests.factories import PublicBodyFactory


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bluehats.Event"

    kind = "webinar"
    title = factory.Sequence(lambda n: f"Webinaire {n}")
    slug = factory.Sequence(lambda n: f"webinaire-{n}")
    start_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    end_at = factory.LazyAttribute(lambda o: o.start_at + timedelta(minutes=90))
    online = True
    description = "Présentation d’un **logiciel libre**."
    organiser = factory.SubFactory(PublicBodyFactory)

    class Params:
        pending = factory.Trait(moderation_status="pending")
        past = factory.Trait(
            start_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
        )
        cancelled = factory.Trait(status="cancelled")


class GazetteIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bluehats.GazetteIssue"

    number = factory.Sequence(lambda n: n + 100)
    published_on = factory.LazyFunction(lambda: timezone.localdate())
    title = factory.LazyAttribute(lambda o: f"Gazette BlueHats n°{o.number}")
    body = "Les nouvelles de la communauté."


class ContributorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bluehats.ContributorProfile"

    user = factory.SubFactory("tests.factories.UserFactory")
    is_public = True
    display_name = factory.Sequence(lambda n: f"Camille Durand {n}")
    slug = factory.Sequence(lambda n: f"camille-durand-{n}")
    short_bio = "Développeuse à la DINUM."
    forge_handles = factory.LazyFunction(lambda: ["github.com/cdurand"])

    class Params:
        private = factory.Trait(is_public=False)
