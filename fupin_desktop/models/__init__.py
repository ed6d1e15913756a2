"""The whole data model: import this package to register every table on ``Base.metadata``."""

from fupin_desktop.models.asset import (
    Asset,
    AssetDisposal,
    AssetFunding,
    AssetIncome,
    AssetMaintenance,
    AssetNumberSequence,
    IncomeDistribution,
)
from fupin_desktop.models.audit import AppSetting, AuditLog, ImportBatch, ImportProfile, SourceRow, User
from fupin_desktop.models.base import Base
from fupin_desktop.models.checks import CheckFinding, CheckRun
from fupin_desktop.models.comparison import ComparisonList, ComparisonMark, ComparisonRow
from fupin_desktop.models.handbook import (
    HandbookEntry,
    Helper,
    HelperAssignment,
    VillageTeamMember,
)
from fupin_desktop.models.household import (
    MEMBER_LEFT,
    MEMBER_PRESENT,
    RELATION_HEAD,
    RELATION_SPOUSE,
    AssistanceMeasure,
    ChangeEvent,
    GuaranteeCheck,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
)
from fupin_desktop.models.project import (
    Disbursement,
    Project,
    ProjectBeneficiary,
    ProjectChecklistItem,
    ProjectFunding,
    ProjectIndicator,
    ProjectStatusLog,
)
from fupin_desktop.models.rectify import (
    RectifyHousehold,
    RectifyItem,
    RectifyProgress,
    RectifyProject,
    RectifyVillage,
)
from fupin_desktop.models.region import Region, RegionChange, VillageGroup
from fupin_desktop.models.report import ReportLock, ReportSnapshot
from fupin_desktop.models.risk import RiskGrade, RiskGradeChange, RiskWarning

__all__ = [
    "MEMBER_LEFT",
    "MEMBER_PRESENT",
    "RELATION_HEAD",
    "RELATION_SPOUSE",
    "AppSetting",
    "Asset",
    "AssetDisposal",
    "AssetFunding",
    "AssetIncome",
    "AssetMaintenance",
    "AssetNumberSequence",
    "AssistanceMeasure",
    "AuditLog",
    "Base",
    "ChangeEvent",
    "CheckFinding",
    "CheckRun",
    "ComparisonList",
    "ComparisonMark",
    "ComparisonRow",
    "Disbursement",
    "GuaranteeCheck",
    "HandbookEntry",
    "Helper",
    "HelperAssignment",
    "Household",
    "HouseholdYear",
    "ImportBatch",
    "ImportProfile",
    "IncomeDistribution",
    "Member",
    "MonitoringCase",
    "Project",
    "ProjectBeneficiary",
    "ProjectChecklistItem",
    "ProjectFunding",
    "ProjectIndicator",
    "ProjectStatusLog",
    "RectifyHousehold",
    "RectifyItem",
    "RectifyProgress",
    "RectifyProject",
    "RectifyVillage",
    "Region",
    "RegionChange",
    "VillageGroup",
    "ReportLock",
    "ReportSnapshot",
    "RiskGrade",
    "RiskGradeChange",
    "RiskWarning",
    "SourceRow",
    "User",
    "VillageTeamMember",
]
