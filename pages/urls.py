"""The organizer side's server-rendered pages: the Schedule Editor."""

from django.urls import path

from pages.editor import embed, views

urlpatterns = [
    path("editor/", views.open_editor, name="editor-open"),
    path("editor/confirm/", views.confirm_editor, name="editor-confirm"),
    path("editor/embed/", embed.embed_shell, name="editor-embed"),
    path("editor/embed/open/", embed.embed_open, name="editor-embed-open"),
    path("editor/<uuid:page_id>/", views.editor, name="editor"),
    path("editor/<uuid:page_id>/<slug:section>/", views.save_section, name="editor-section"),
    path("editor/<uuid:page_id>/<slug:section>/row/", views.new_row, name="editor-row"),
]
