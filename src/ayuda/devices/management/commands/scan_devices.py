"""Run the device health scan now: every active rule, or one rule (``--rule ID``)."""

from django.core.management.base import BaseCommand, CommandError

from ayuda.devices.models import ScanRule
from ayuda.devices.scan import scan_now


class Command(BaseCommand):
    help = "Run the device health scan rules now (all active rules, or --rule ID)."

    def add_arguments(self, parser):
        parser.add_argument("--rule", type=int, help="Run only this scan rule (by id).")

    def handle(self, *args, rule=None, **options):
        if rule is not None and not ScanRule.objects.filter(pk=rule).exists():
            raise CommandError(f"No scan rule with id {rule}.")
        for result in scan_now(rule_id=rule):
            self.stdout.write(
                f"rule {result.rule_id}: {result.findings} failing, {result.opened} opened, "
                f"{result.updated} updated ({result.noted} noted), {result.recovered} "
                f"recovered, {result.closed_by_agents} closed by agents, "
                f"{result.skipped} skipped, {result.refused} refused"
            )
