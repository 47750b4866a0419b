from django.urls import path

from kb import agent_views, report_views

app_name = "kb_agent"

urlpatterns = [
    path("", agent_views.article_list, name="list"),
    path("new/", agent_views.article_edit, name="new"),
    path("preview/", agent_views.preview, name="preview"),
    path("lookup/", agent_views.lookup, name="lookup"),
    path("report/", report_views.report, name="report"),
    path("report/<slug:table>.csv", report_views.report_csv, name="report_csv"),
    path("tickets/<int:ticket_id>/sent/", agent_views.sent, name="sent"),
    path("<int:article_id>/", agent_views.article_edit, name="edit"),
    path("<int:article_id>/status/", agent_views.article_status, name="status"),
    path("<int:article_id>/history/", agent_views.history, name="history"),
    path("<int:article_id>/files/", agent_views.file_upload, name="file_upload"),
    path(
        "<int:article_id>/files/<uuid:file_id>/delete/",
        agent_views.file_delete,
        name="file_delete",
    ),
    path(
        "<int:article_id>/history/<int:number>/restore/",
        agent_views.restore,
        name="restore",
    ),
]
