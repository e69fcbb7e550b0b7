"""Reads about documents, always given the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.organisations.access import get_object_for_user

from .models import Document


def get_document_for_user(user: Any, document_id: Any) -> Document:
    """The document if the user may see it, else 404 (also for a malformed id)."""
    return get_object_for_user(Document, user, document_id)


def documents_of_partner(user: Any, partner: Any) -> QuerySet[Document]:
    """The partner's own documents, newest first, as far as the user may see them."""
    return (
        Document.objects.visible_to(user)
        .filter(owner_partner=partner)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )
