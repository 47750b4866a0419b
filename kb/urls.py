from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("files/<uuid:file_id>/<str:name>", views.article_file, name="file"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("articles/<str:language>/<slug:slug>/", views.article, name="article"),
    path("articles/<str:language>/<slug:slug>/vote/", views.vote, name="vote"),
]
