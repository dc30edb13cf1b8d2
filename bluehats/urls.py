from django.urls import path

from bluehats import views
from bluehats.feeds import EventFeed, GazetteFeed

app_name = "bluehats"

urlpatterns = [
    path("", views.home, name="home"),
    path("evenements.ics", views.calendar, name="calendar"),
    path("evenements/", views.event_list, name="events"),
    path("evenements/flux.atom", EventFeed(), name="events_feed"),
    path("evenements/archives/", views.event_archive, name="archive"),
    path("evenements/proposer/", views.EventProposalView.as_view(), name="propose"),
    path("evenements/<int:pk>/modifier/", views.EventProposalView.as_view(), name="edit"),
    path("evenements/<int:pk>/retirer/", views.EventDeleteView.as_view(), name="delete"),
    path("evenements/<slug:slug>.ics", views.event_calendar, name="event_calendar"),
    path("evenements/<slug:slug>/", views.event_detail, name="event"),
    path("gazette/", views.gazette, name="gazette"),
    path("gazette/flux.atom", GazetteFeed(), name="gazette_feed"),
    path("gazette/<int:number>/", views.gazette_issue, name="gazette_issue"),
]
