import GRDB

// The queries both doors ask — AppDatabase's reads outside a transaction, CaseLedger's inside one —
// written once, as GRDB record requests.

extension CaseRecord {
    /// The case with this number in this studio.
    static func numbered(_ number: Int, in studio: String) -> QueryInterfaceRequest<CaseRecord> {
        filter(Column("studio_id") == studio && Column("number") == number)
    }
}

extension MessageRecord {
    /// A case's messages in both directions, oldest first.
    static func ofCase(_ caseID: Int64?) -> QueryInterfaceRequest<MessageRecord> {
        filter(Column("case_id") == caseID).order(Column("id"))
    }
}

extension CaseEventRecord {
    /// A case's audit trail, oldest first.
    static func ofCase(_ caseID: Int64?) -> QueryInterfaceRequest<CaseEventRecord> {
        filter(Column("case_id") == caseID).order(Column("id"))
    }
}
