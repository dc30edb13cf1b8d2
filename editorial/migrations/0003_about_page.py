"""Seed the about page (/a-propos/): a published guide page linked from the main navigation,
which the editors then edit in the admin. Never overwrites a page that already exists."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

SLUG = "a-propos"
TITLE = "À propos"
SUMMARY = (
    "Ce qu’est ce portail, d’où viennent ses données et comment faire référencer la forge "
    "ou l’organisation d’un organisme public."
)
BODY = """\
{site} est le portail de la politique de l’État en faveur des logiciels libres et des codes
sources ouverts. Il recense les codes sources que publient les organismes publics
(ministères, établissements publics, collectivités, universités et laboratoires), le Socle
interministériel de logiciels libres (SILL) et les contributions des agents publics aux
logiciels libres.

## D’où viennent les données

- **Les [dépôts](/depots/) et les [organisations](/organisations/)** sont collectés chaque
  nuit sur les forges (GitHub, GitLab, Gitea, Forgejo, Gogs, sourcehut) au moyen de leurs
  interfaces publiques, à partir de la liste des comptes d’organismes publics. Une forge
  dédiée au code public est collectée en entier ; ailleurs, seuls les organisations et
  groupes listés le sont.
- **Les [ministères](/ministeres/) et les organismes publics** sont nommés d’après le
  Référentiel de l’organisation administrative de l’État (DILA) et l’annuaire de
  service-public.fr.
- **Le [SILL](/sill/)** réunit les logiciels libres que les agents publics recommandent,
  avec les déclarations d’usage et les référents ; les descriptions viennent de Wikidata
  quand elles y figurent.
- **Les [contributions](/contributions/)** sont déclarées par des agents publics et
  publiées après relecture par l’équipe éditoriale.

Toutes ces données sont réutilisables sous Licence Ouverte 2.0 : la page
[Données](/donnees/) les propose en CSV et JSON, avec leur dictionnaire.

## Faire référencer une forge ou une organisation

1. Vérifiez que le compte appartient à un organisme public et que le code qu’il publie est
   sous licence libre.
2. Écrivez à [{email}](mailto:{email}) en indiquant :
    - l’adresse de la forge (par exemple `gitlab.exemple.gouv.fr`) et son logiciel
      (GitHub, GitLab, Gitea, Forgejo, Gogs ou sourcehut) ;
    - si la forge ne publie que du code public, qu’elle est à collecter en entier ;
      sinon, les organisations ou groupes à collecter ;
    - l’organisme qui publie, et son identifiant dans l’annuaire de service-public.fr.
3. Une fois le compte ajouté à la liste, ses dépôts apparaissent après la collecte
   suivante, la nuit même.

Pour que vos dépôts soient mieux décrits, ajoutez-leur une licence, un fichier README et un
fichier `publiccode.yml` : le portail les lit à chaque collecte.

## Déclarer un usage ou une contribution

Les agents publics se connectent avec ProConnect pour déclarer les logiciels libres qu’ils
utilisent, en devenir référents, ou déclarer leurs contributions aux logiciels libres.
"""


def create_about_page(apps, schema_editor):
    GuidePage = apps.get_model("editorial", "GuidePage")
    if GuidePage.objects.filter(slug=SLUG).exists():
        return
    GuidePage.objects.create(
        slug=SLUG,
        title=TITLE,
        summary=SUMMARY,
        body=BODY.format(site=settings.SITE_NAME, email=settings.CONTACT_EMAIL),
        status="published",
        placement="navigation",
        order=0,
        published_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("editorial", "0002_content_types")]

    operations = [migrations.RunPython(create_about_page, migrations.RunPython.noop)]
