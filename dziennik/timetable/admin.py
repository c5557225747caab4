from django.contrib import admin

from dziennik.core.admin import ViewOnlyAdmin

from .models import CalendarFeed, Room, TimetableChange, TimetableEntry


@admin.register(Room)
class RoomAdmin(ViewOnlyAdmin):
    """Rooms are changed on the timetable's rooms screen (``views_rooms``), in the history."""

    list_display = ("name", "school", "is_active")
    list_filter = ("school", "is_active")


@admin.register(TimetableEntry)
class TimetableEntryAdmin(ViewOnlyAdmin):
    list_display = ("school_class", "group", "weekday", "slot", "subject", "teacher", "room")
    list_filter = ("school", "weekday")
    list_select_related = ("school_class", "group", "slot", "subject", "teacher", "room")
    raw_id_fields = ("school_class", "group", "teacher", "subject", "slot", "room")


@admin.register(TimetableChange)
class TimetableChangeAdmin(ViewOnlyAdmin):
    list_display = ("date", "kind", "entry", "substitute_teacher")
    list_filter = ("kind", "school")
    raw_id_fields = ("entry", "substitute_teacher", "room", "new_slot")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ViewOnlyAdmin):
    """A person creates and revokes their own feed address (in the history); the admin
    only shows who has one, never the secret token."""

    list_display = ("user", "created_at")
    exclude = ("token",)
