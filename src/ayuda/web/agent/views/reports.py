"""Report pages (issue 13): being built."""

from django.http import Http404


def overview(request, *args, **kwargs):
    raise Http404


def export(request, *args, **kwargs):
    raise Http404
