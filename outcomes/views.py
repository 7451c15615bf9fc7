from django.db.models import Count
from django.shortcuts import render

from outcomes.models import Category


def home(request):
    categories = Category.objects.annotate(outcome_count=Count("outcomes"))
    return render(request, "outcomes/home.html", {"categories": categories})
