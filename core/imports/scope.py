"""The rows an import may write: any (the commission, the command line), one county's, or one
training provider's. Built by the imports app from the user; read by each kind's check()."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportScope:
    """The rows a user may write. None means "any" (the commission and the command line)."""

    county_id: int | None = None
    provider_id: int | None = None
    county_name: str = ""
    provider_name: str = ""

    @property
    def unrestricted(self):
        return self.county_id is None and self.provider_id is None

    def county_error(self, county):
        """Message when `county` is outside the scope, else None."""
        if self.county_id is not None and (county is None or county.pk != self.county_id):
            return f"您只能导入本区县（{self.county_name}）的数据。"
        return None

    def provider_error(self, provider_name):
        if self.provider_id is not None and provider_name != self.provider_name:
            return f"您只能导入本机构（{self.provider_name}）的培训记录。"
        return None


UNRESTRICTED = ImportScope()
