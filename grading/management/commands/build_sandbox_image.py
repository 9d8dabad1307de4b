from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.images import ImageBuildError, image_build, image_tag, rootfs_build


class Command(BaseCommand):
    help = "Builds the sandbox image (tagged by a hash of its inputs) unless it already exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--method",
            choices=["auto", "offline", "registry"],
            default="auto",
            help="offline: debootstrap + docker import (no registry needed); registry: docker build; auto: offline when debootstrap is installed",
        )
        parser.add_argument("--rootfs-only", action="store_true", help="only the root filesystem, for the bubblewrap backend")

    def handle(self, *args: object, method: str, rootfs_only: bool, **options: object) -> None:
        try:
            # bubblewrap runs in the root filesystem: ensured even when the image exists already.
            path = rootfs_build(settings.SANDBOX_CACHE_DIR)
            if rootfs_only:
                self.stdout.write(self.style.SUCCESS(f"sandbox root filesystem ready: {path}"))
                return
            import docker
            import docker.errors

            try:
                client = docker.from_env(timeout=600)
                client.ping()
            except docker.errors.DockerException as exc:
                raise CommandError(f"the Docker engine does not answer: {exc}") from None
            tag = image_build(client, cache_dir=settings.SANDBOX_CACHE_DIR, method=method)
        except ImageBuildError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"sandbox image ready: {tag} (inputs hash {image_tag().split(':')[1]})"))
