"""Benchmark only: Lotsa's URLs plus the "floor" page, a signed-in page that renders the base
template and nothing else (what every page costs: middleware, session, user, navigation)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as lotsa_urlpatterns


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {})


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *lotsa_urlpatterns]
