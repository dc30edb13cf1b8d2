"""The field factories of core.fields give the same fields as the declarations they
replaced: the migrations must not see a difference."""

from django.conf import settings
from django.db import models

from core.fields import optional_link, optional_url, public_body_link, user_link


def same(factory_field, hand_written):
    assert factory_field.deconstruct()[1:] == hand_written.deconstruct()[1:]


def test_optional_link_empties_itself_when_its_target_goes():
    same(
        optional_link("catalog.Repository", related_name="+", verbose_name="dépôt"),
        models.ForeignKey(
            "catalog.Repository",
            verbose_name="dépôt",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        ),
    )


def test_user_link_points_to_the_user_model():
    same(
        user_link(related_name="+", editable=False),
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
            editable=False,
        ),
    )


def test_public_body_link_is_labelled_unless_told_otherwise():
    labelled = public_body_link(related_name="members")
    assert str(labelled.verbose_name) == "organisme public"
    assert labelled.remote_field.on_delete is models.SET_NULL
    assert str(public_body_link(related_name="+", verbose_name="x").verbose_name) == "x"


def test_optional_url():
    same(optional_url("site"), models.URLField("site", max_length=500, blank=True))
