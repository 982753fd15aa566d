import { InitialSchema1763800000000 } from './1763800000000-InitialSchema';
import { AuditAppendOnly1763800000001 } from './1763800000001-AuditAppendOnly';
import { RiskElimination1763900000000 } from './1763900000000-RiskElimination';
import { WelfarePosts1764000000000 } from './1764000000000-WelfarePosts';
import { ProjectIntake1764100000000 } from './1764100000000-ProjectIntake';
import { AlertsAndNotifications1764200000000 } from './1764200000000-AlertsAndNotifications';
import { LoginEvents1764300000002 } from './1764300000002-LoginEvents';
import { PersonalDataReads1764300000003 } from './1764300000003-PersonalDataReads';
import { RoleLevels1764300000004 } from './1764300000004-RoleLevels';
import { EvidenceUsedFor1764400000010 } from './1764400000010-EvidenceUsedFor';
import { PolicyLedger1764400000100 } from './1764400000100-PolicyLedger';
import { OnePostPerPerson1764400000200 } from './1764400000200-OnePostPerPerson';
import { IncomeVisitDate1764400000300 } from './1764400000300-IncomeVisitDate';
import { RecordLedger1764400000400 } from './1764400000400-RecordLedger';
import { Rectification1764500000000 } from './1764500000000-Rectification';
import { ProjectImplementation1764600000000 } from './1764600000000-ProjectImplementation';
import { HouseholdRegistry1764700000000 } from './1764700000000-HouseholdRegistry';
import { PersonalDataAtRest1764800000000 } from './1764800000000-PersonalDataAtRest';
import { TenureHolderLeft1765300000000 } from './1765300000000-TenureHolderLeft';
import { InvoiceOncePerCounty1765400000000 } from './1765400000000-InvoiceOncePerCounty';
import { CaseDataPhones1765500000000 } from './1765500000000-CaseDataPhones';
import { FullExportImports1765600000000 } from './1765600000000-FullExportImports';
import { UserTokensEnded1765900000000 } from './1765900000000-UserTokensEnded';
import { StepWriteIndexes1766000000000 } from './1766000000000-StepWriteIndexes';

/** Listed, not globbed: the same list runs from the compiled service and from the tests. */
export const SQLITE_MIGRATIONS = [InitialSchema1763800000000, AuditAppendOnly1763800000001, RiskElimination1763900000000, WelfarePosts1764000000000, ProjectIntake1764100000000, AlertsAndNotifications1764200000000, LoginEvents1764300000002, PersonalDataReads1764300000003, RoleLevels1764300000004, EvidenceUsedFor1764400000010, PolicyLedger1764400000100, OnePostPerPerson1764400000200, IncomeVisitDate1764400000300, RecordLedger1764400000400, Rectification1764500000000, ProjectImplementation1764600000000, HouseholdRegistry1764700000000, PersonalDataAtRest1764800000000, TenureHolderLeft1765300000000, InvoiceOncePerCounty1765400000000, CaseDataPhones1765500000000, FullExportImports1765600000000, UserTokensEnded1765900000000, StepWriteIndexes1766000000000];
