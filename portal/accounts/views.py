from django.http import HttpResponse


def account_home(request):
    return HttpResponse("")


preferences = switch_partner = team = team_member = account_home
