import GRDB
import HotlineCore

/// SQL fragments about case states.
enum CaseStateSQL {
    /// `'received','assigned',…`: the states that count as open.
    static var openList: String { CaseState.openStates.map { "'\($0.rawValue)'" }.joined(separator: ",") }
}

/// Versioned schema. A shipped migration is never edited: add `v2-…` instead.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "studios") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            // A snapshot of the configured roster, refreshed at start-up, so that queries and reports can join names.
            try db.create(table: "roster") { t in
                t.column("studio_id", .text).notNull()
                t.column("id", .text).notNull()
                t.column("name", .text).notNull()
                t.column("phone", .text).notNull()
                t.column("role", .text).notNull()
                t.column("sector", .text)
                t.primaryKey(["studio_id", "id"])
            }
            try db.create(table: "residents") { t in
                t.column("studio_id", .text).notNull()
                t.column("phone", .text).notNull()
                t.column("area", .text)
                t.column("first_seen_at", .datetime).notNull()
                t.column("last_seen_at", .datetime).notNull()
                t.primaryKey(["studio_id", "phone"])
            }
            try db.create(table: "cases") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("studio_id", .text).notNull()
                t.column("number", .integer).notNull()
                t.column("resident_phone", .text).notNull()
                t.column("intent", .text).notNull()
                t.column("topic", .text).notNull()
                t.column("area", .text)
                t.column("area_source", .text)
                t.column("assignee_id", .text)
                t.column("state", .text).notNull()
                t.column("routing_reason", .text)
                t.column("routing_explanation", .text)
                t.column("classification", .text).notNull()
                t.column("text", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.uniqueKey(["studio_id", "number"])
            }
            try db.create(index: "cases_by_assignee", on: "cases", columns: ["studio_id", "assignee_id", "state"])
            try db.create(index: "cases_by_resident", on: "cases", columns: ["studio_id", "resident_phone", "state"])
            try db.create(table: "case_events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("case_id", .integer).notNull().references("cases")
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("detail", .text)
            }
            try db.create(index: "case_events_by_case", on: "case_events", columns: ["case_id"])
            try db.create(table: "messages") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("studio_id", .text).notNull()
                t.column("direction", .text).notNull().check { ["in", "out"].contains($0) }
                t.column("channel", .text).notNull()
                t.column("provider_id", .text)
                t.column("from_number", .text).notNull()
                t.column("to_number", .text).notNull()
                t.column("text", .text).notNull()
                t.column("status", .text).notNull()
                t.column("kind", .text)
                t.column("case_id", .integer).references("cases")
                t.column("created_at", .datetime).notNull()
                t.column("sent_at", .datetime)
                t.column("error", .text)
            }
            // The dedup key: a provider's id is unique per channel for inbound messages.
            try db.execute(sql: """
                CREATE UNIQUE INDEX messages_inbound_dedup ON messages(channel, provider_id)
                WHERE direction = 'in' AND provider_id IS NOT NULL
                """)
            try db.create(index: "messages_by_case", on: "messages", columns: ["case_id"])
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("message_id", .integer).notNull().unique().references("messages")
                t.column("channel", .text).notNull()
                t.column("priority", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("next_attempt_at", .datetime).notNull()
                t.column("last_error", .text)
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "outbox_due", on: "outbox", columns: ["status", "priority", "next_attempt_at"])
        }
        migrator.registerMigration("v2-sms-segments") { db in
            // Outbound only: how the text travels (GSM-7 or UCS-2) and in how many parts.
            try db.alter(table: "messages") { t in
                t.add(column: "encoding", .text)
                t.add(column: "parts", .integer)
            }
        }
        migrator.registerMigration("v3-opt-out") { db in
            // A resident who opted out (STOP at the provider, 退订 later) gets no broadcasts.
            try db.alter(table: "residents") { t in t.add(column: "opted_out_at", .datetime) }
        }
        migrator.registerMigration("v4-assignee-load") { db in
            // Open cases per assignee, kept by every write that opens, closes or moves a case, so that
            // routing reads a handful of rows instead of counting every open case on each message.
            try db.create(table: "assignee_load") { t in
                t.column("studio_id", .text).notNull()
                t.column("assignee_id", .text).notNull()
                t.column("open_cases", .integer).notNull()
                t.primaryKey(["studio_id", "assignee_id"])
            }
            // The open states as this migration shipped (a later state must not change what it did).
            let open = "'received','assigned','accepted','replied','reopened'"
            try db.execute(sql: """
                INSERT INTO assignee_load(studio_id, assignee_id, open_cases)
                SELECT studio_id, assignee_id, COUNT(*) FROM cases
                WHERE assignee_id IS NOT NULL AND state IN (\(open)) GROUP BY studio_id, assignee_id
                """)
        }
        migrator.registerMigration("v5-same-text-index") { db in
            // The Android gateway's dedup looks for the same text from the same number on the same channel, recently.
            try db.create(index: "messages_by_sender", on: "messages", columns: ["channel", "from_number", "created_at"])
        }
        migrator.registerMigration("v6-casework") { db in
            // The case's life after intake: outcome, deadlines, the satisfaction callback, the script
            // the resident writes in; and members' leave.
            try db.alter(table: "cases") { t in
                t.add(column: "outcome", .text)
                t.add(column: "outcome_note", .text)
                t.add(column: "department", .text)
                t.add(column: "accepted_at", .datetime)
                t.add(column: "first_reply_at", .datetime)
                t.add(column: "closed_at", .datetime)
                t.add(column: "accept_due", .datetime)
                t.add(column: "reply_due", .datetime)
                t.add(column: "close_due", .datetime)
                t.add(column: "satisfaction", .text)
                t.add(column: "survey_state", .text)
                t.add(column: "survey_asked_at", .datetime)
                t.add(column: "missed_deadlines", .integer).notNull().defaults(to: 0)
                t.add(column: "reminded", .boolean).notNull().defaults(to: false)
                t.add(column: "reopened", .integer).notNull().defaults(to: 0)
                t.add(column: "traditional", .boolean).notNull().defaults(to: false)
            }
            // The deadline service reads open cases and closed ones waiting for the survey answer.
            try db.create(index: "cases_by_state", on: "cases", columns: ["state"])
            try db.create(table: "member_leave") { t in
                t.column("studio_id", .text).notNull()
                t.column("roster_id", .text).notNull()
                t.column("since", .datetime).notNull()
                /// nil: until the member texts 销假.
                t.column("until", .datetime)
                t.primaryKey(["studio_id", "roster_id"])
            }
        }
        migrator.registerMigration("v7-inbound-sender-index") { db in
            // Only the inbound same-text check reads it: replies (two of every three messages) need not maintain it.
            try db.execute(sql: "DROP INDEX messages_by_sender")
            try db.execute(sql: "CREATE INDEX messages_by_sender ON messages(channel, from_number, created_at) WHERE direction = 'in'")
        }
        migrator.registerMigration("v8-departments") { db in
            // A case transferred to a department stays open ('with-department') until the member records its answer.
            try db.alter(table: "cases") { t in t.add(column: "transferred_at", .datetime) }
        }
        migrator.registerMigration("v9-health") { db in
            // One row the health check rewrites: it proves a write can be committed.
            try db.create(table: "health") { t in
                t.primaryKey("id", .integer)
                t.column("probed_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v10-sender-guard") { db in
            // Per-number limits: a flood or an auto-responder is muted for a while; the streak counts
            // machine-like texts in a row.
            try db.alter(table: "residents") { t in
                t.add(column: "muted_until", .datetime)
                t.add(column: "mute_reason", .text)
                t.add(column: "machine_streak", .integer).notNull().defaults(to: 0)
            }
            // The texts we sent a number lately: is theirs an echo, or faster than a person types?
            try db.execute(sql: "CREATE INDEX messages_out_by_recipient ON messages(to_number, created_at) WHERE direction = 'out'")
        }
        migrator.registerMigration("v11-notices") { db in
            // A notice to a group (通知): a meeting or general text; its audience as written, its plan's times.
            try db.create(table: "notices") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("studio_id", .text).notNull()
                t.column("number", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("title", .text).notNull()
                t.column("body", .text).notNull()
                t.column("meeting_at", .datetime)
                t.column("place", .text)
                t.column("topic", .text)
                t.column("case_numbers", .text)
                t.column("audience", .text).notNull()
                t.column("text", .text).notNull()
                t.column("state", .text).notNull()
                t.column("send_at", .datetime).notNull()
                t.column("rsvp_until", .datetime)
                t.column("remind_at", .datetime)
                t.column("reminded_at", .datetime)
                t.column("created_by", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("cancelled_at", .datetime)
                t.column("cancel_reason", .text)
                t.uniqueKey(["studio_id", "number"])
            }
            // Everyone the audience named: those sent to (with their message and answer) and those skipped (with why).
            try db.create(table: "notice_recipients") { t in
                t.column("notice_id", .integer).notNull().references("notices")
                t.column("phone", .text).notNull()
                t.column("name", .text)
                t.column("role", .text).notNull()
                t.column("area", .text)
                t.column("via", .text).notNull()
                t.column("skip_reason", .text)
                t.column("message_id", .integer)
                t.column("rsvp", .text)
                t.column("rsvp_note", .text)
                t.column("rsvp_at", .datetime)
                t.primaryKey(["notice_id", "phone"])
            }
            // An answer finds the latest open notice sent to the number.
            try db.execute(sql: "CREATE INDEX notice_recipients_by_phone ON notice_recipients(phone, notice_id) WHERE skip_reason IS NULL")
            // Rolls of participants (1+6+X), kept per studio and area, reused by the next meeting.
            try db.create(table: "roll_entries") { t in
                t.column("studio_id", .text).notNull()
                t.column("roll", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("phone", .text).notNull()
                t.column("role", .text).notNull()
                t.column("area", .text)
                t.primaryKey(["studio_id", "roll", "phone"])
            }
        }
        migrator.registerMigration("v12-cases-by-received") { db in
            // Reports take a month's cases by when they were received.
            try db.create(index: "cases_by_created", on: "cases", columns: ["created_at"])
        }
        migrator.registerMigration("v13-staff") { db in
            // People who use the admin side: a role, the studios they work in, a bcrypt hash.
            try db.create(table: "staff_users") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("login", .text).notNull().unique()
                t.column("name", .text).notNull()
                t.column("role", .text).notNull()
                // Comma-separated studio ids; '*' for every studio (auditors).
                t.column("studios", .text).notNull()
                t.column("roster_id", .text)
                t.column("password_hash", .text)
                t.column("failed_logins", .integer).notNull().defaults(to: 0)
                t.column("locked_until", .datetime)
                t.column("disabled_at", .datetime)
                t.column("created_at", .datetime).notNull()
            }
            // API tokens: only their SHA-256 is kept; shown once when made.
            try db.create(table: "api_tokens") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("user_id", .integer).notNull().references("staff_users")
                t.column("token_hash", .text).notNull().unique()
                t.column("label", .text)
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
                t.column("revoked_at", .datetime)
                t.column("last_used_at", .datetime)
            }
        }
        migrator.registerMigration("v14-case-version-and-due") { db in
            // The admin API refuses a change made against a stale copy of a case: every save adds one.
            try db.alter(table: "cases") { t in t.add(column: "version", .integer).notNull().defaults(to: 1) }
            // The deadline a case works towards now (CaseProgress.currentDeadline, in SQL), so that
            // "overdue" is an index range rather than a scan of every open case.
            try db.execute(sql: """
                ALTER TABLE cases ADD COLUMN next_due TEXT GENERATED ALWAYS AS (CASE
                  WHEN state IN ('received', 'assigned') THEN accept_due
                  WHEN state IN ('accepted', 'reopened') THEN reply_due
                  WHEN state IN ('replied', 'with-department') THEN close_due END) VIRTUAL
                """)
            try db.execute(sql: "CREATE INDEX cases_by_next_due ON cases(next_due) WHERE next_due IS NOT NULL")
            // Case lists page newest first within a studio, by state or by topic.
            try db.create(index: "cases_by_studio_state", on: "cases", columns: ["studio_id", "state"])
            try db.create(index: "cases_by_studio_topic", on: "cases", columns: ["studio_id", "topic"])
            try db.create(index: "cases_by_studio_created", on: "cases", columns: ["studio_id", "created_at"])
        }
        migrator.registerMigration("v15-message-templates") { db in
            // Channels that send only templates approved in advance make their parameters from these.
            try db.alter(table: "messages") { t in
                t.add(column: "template", .text)
                t.add(column: "template_values", .text)
            }
        }
        migrator.registerMigration("v16-case-pages") { db in
            // The residents' case page is reached by this token alone: unique, and found by an index.
            try db.alter(table: "cases") { t in t.add(column: "resident_token", .text) }
            try db.execute(sql: "CREATE UNIQUE INDEX cases_by_resident_token ON cases(resident_token) WHERE resident_token IS NOT NULL")
        }
        migrator.registerMigration("v17-notice-templates") { db in
            try db.alter(table: "notices") { t in
                t.add(column: "template", .text)
                t.add(column: "template_values", .text)
            }
        }
        migrator.registerMigration("v18-phone-bindings") { db in
            // A WeChat follower's row names the phone number they proved they hold: their SMS and
            // WeChat history are one resident's, and texts WeChat cannot carry go to that number.
            try db.alter(table: "residents") { t in t.add(column: "bound_phone", .text) }
            try db.execute(sql: "CREATE INDEX residents_by_bound_phone ON residents(studio_id, bound_phone) WHERE bound_phone IS NOT NULL")
            // Each code asked for: kept a day so that a number is sent only so many (only the code's hash is kept).
            try db.create(table: "phone_bindings") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("studio_id", .text).notNull()
                t.column("follower", .text).notNull()
                t.column("phone", .text).notNull()
                t.column("code_hash", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
                t.column("bound_at", .datetime)
            }
            try db.create(index: "phone_bindings_by_follower", on: "phone_bindings", columns: ["studio_id", "follower", "id"])
            try db.create(index: "phone_bindings_by_phone", on: "phone_bindings", columns: ["phone", "created_at"])
        }
        migrator.registerMigration("v19-notice-consents") { db in
            // Followers' answers to a channel's prompt for a kind of notice (WeChat's 订阅通知 templates).
            try db.create(table: "notice_consents") { t in
                t.column("channel", .text).notNull()
                t.column("address", .text).notNull()
                t.column("template", .text).notNull()
                t.column("accepted", .boolean).notNull()
                t.column("updated_at", .datetime).notNull()
                t.primaryKey(["channel", "address", "template"])
            }
        }
        migrator.registerMigration("v20-case-tallies") { db in
            // Each studio's calendar, so that storage places a case in its month and week.
            try db.alter(table: "studios") { t in t.add(column: "time_zone", .text) }
            // What the reports count, per studio, month, week, member, area and topic ('' for none),
            // kept as cases change (CaseLedger+Tallies); filled at start-up (AppDatabase.syncRoster)
            // whenever the studios' calendars are not those it was counted with.
            try db.execute(sql: """
                CREATE TABLE case_tallies (
                  studio_id TEXT NOT NULL, month TEXT NOT NULL, week TEXT NOT NULL, assignee_id TEXT NOT NULL, area TEXT NOT NULL,
                  topic TEXT NOT NULL, cases INTEGER NOT NULL, assigned INTEGER NOT NULL, accepted_in_time INTEGER NOT NULL,
                  closed INTEGER NOT NULL, resolved INTEGER NOT NULL, answered INTEGER NOT NULL, satisfied INTEGER NOT NULL,
                  PRIMARY KEY (studio_id, month, week, assignee_id, area, topic)) WITHOUT ROWID
                """)
            try db.execute(sql: "CREATE TABLE tally_state (id INTEGER PRIMARY KEY CHECK (id = 1), calendars TEXT NOT NULL)")

        }
        migrator.registerMigration("v21-case-words") { db in
            // The words a case's text is searched by (SearchWords: two-character Chinese words and
            // Latin words), in a full-text index keyed by the case's id; only the words, not the text.
            try db.execute(sql: "CREATE VIRTUAL TABLE case_words USING fts5(words, content='', tokenize='unicode61')")
            // The cases up to `through` are in it; later ones are indexed in batches off intake's
            // path (AppDatabase.indexCaseWords) and searched by LIKE until then.
            try db.execute(sql: "CREATE TABLE case_words_state (id INTEGER PRIMARY KEY CHECK (id = 1), through INTEGER NOT NULL)")
            try db.execute(sql: "INSERT INTO case_words_state(id, through) VALUES (1, 0)")
        }
        migrator.registerMigration("v22-topic-index-back") { db in
            // v20 once replaced (studio_id, topic) by (studio_id, topic, created_at): a page of a
            // topic's cases below a cursor then sorted the topic's every case (39 ms rather than 6
            // on 200,000). The rowid-ordered index is back; a database made since gets it again.
            try db.execute(sql: "DROP INDEX IF EXISTS cases_by_studio_topic_created")
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS cases_by_studio_topic ON cases(studio_id, topic)")
        }
        migrator.registerMigration("v23-lists-in-order") { db in
            // Every case list reads its part (a studio, a state, a member's state, a topic, an
            // area) newest first from an index ending in created_at (the rowid after it breaks ties),
            // and a studio's deadlines in order: no list sorts the cases it matches
            // (AppDatabase.caseListQuery; the plans are held in StorageListPlanTests).
            for (name, columns) in [("cases_by_studio_state", "studio_id, state, created_at"),
                                    ("cases_by_assignee", "studio_id, assignee_id, state, created_at"),
                                    ("cases_by_studio_topic", "studio_id, topic, created_at"),
                                    ("cases_by_studio_area", "studio_id, area, created_at")] {
                try db.execute(sql: "DROP INDEX IF EXISTS \(name)")
                try db.execute(sql: "CREATE INDEX \(name) ON cases(\(columns))")
            }
            try db.execute(sql: "CREATE INDEX cases_by_studio_due ON cases(studio_id, next_due) WHERE next_due IS NOT NULL")
            // The outbox list's rare rows, newest first (AppDatabase.outboxListQuery): written only
            // when a text fails or waits.
            try db.execute(sql: "CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'failed'")
            try db.execute(sql: "CREATE INDEX outbox_waiting ON outbox(id) WHERE status = 'waiting'")
        }
        migrator.registerMigration("v24-escalations") { db in
            // The month's escalations (the digest, the reports page): a month of a big studio is
            // 58,000 cases, of which a few hundred or thousand were closed as a proposal or a
            // social-conditions report; only those are in it (AppDatabase.escalatedCases, whose WHERE
            // repeats this one's terms so that SQLite may use it).
            try db.execute(sql: "CREATE INDEX cases_escalated ON cases(studio_id, created_at) WHERE \(AppDatabase.escalatedTerms)")
        }
        migrator.registerMigration("v25-open-cases") { db in
            // The open cases (those with a deadline: a few percent of a year's), by studio and time
            // of receipt (then id, as the lists break ties) with their deadline: the overdue list newest first reads each studio's
            // from here, the deadline checked in the index (through cases_by_studio_state each
            // case's row was read for it: the newest open cases are not yet overdue, and a district's
            // list read thousands of rows, 20–35 ms). And by member with the deadline: the members
            // page counts each member's overdue cases in the index.
            try db.execute(sql: "CREATE INDEX cases_open_by_created ON cases(studio_id, created_at, id, next_due) WHERE next_due IS NOT NULL")
            try db.execute(sql: "CREATE INDEX cases_open_by_member ON cases(studio_id, assignee_id, next_due) WHERE next_due IS NOT NULL")
        }
        migrator.registerMigration("v26-month-totals") { db in
            // Each studio's month summed (the tallies' counts without week, member, area and topic),
            // moved with the tallies: the 12-month trend reads twelve rows a studio (summing a
            // district's year of tallies was 215,000 rows, 60 ms).
            try db.execute(sql: """
                CREATE TABLE case_month_totals (
                  studio_id TEXT NOT NULL, month TEXT NOT NULL, \(TallyCounts.columns.map { "\($0) INTEGER NOT NULL" }.joined(separator: ", ")),
                  PRIMARY KEY (studio_id, month)) WITHOUT ROWID
                """)
            try AppDatabase.sumMonthTotals(db)
        }
        migrator.registerMigration("v27-retention") { db in
            // When a case's texts and resident's number were removed (retention or a resident's
            // request): such a case keeps its topic, area, dates, outcome and rates, and a masked number.
            try db.alter(table: "cases") { t in t.add(column: "purged_at", .datetime) }
            // What was removed or shown of residents' data, when and by whom: for an auditor.
            try db.create(table: "data_audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("detail", .text).notNull()
            }
        }
        migrator.registerMigration("v28-data-audit-studio") { db in
            // The studio a resident's request was made to (the admin API's are scoped to one);
            // NULL for what covers every studio (purges, the CLI's requests).
            try db.alter(table: "data_audit") { t in t.add(column: "studio_id", .text) }
            try db.execute(sql: "CREATE INDEX data_audit_by_studio ON data_audit(studio_id, id)")
        }
        migrator.registerMigration("v29-outbound-by-provider") { db in
            // A delivery report that names only the provider's id (Tencent's `sid`) finds its text
            // here; without it each report read every outbound text (seconds on a district's year).
            try db.execute(sql: """
                CREATE INDEX messages_outbound_by_provider ON messages(channel, provider_id)
                WHERE direction = 'out' AND provider_id IS NOT NULL
                """)
        }
        migrator.registerMigration("v30-outbox-due-queue-only") { db in
            // The dispatcher's index holds the queue only: a text sent leaves it (one entry
            // removed) rather than moving to a 'sent' part that grew with every text ever sent.
            // An OR of equalities, so that a query's `status = 'pending'` is seen to imply it.
            try db.execute(sql: "DROP INDEX outbox_due")
            try db.execute(sql: """
                CREATE INDEX outbox_due ON outbox(status, priority, next_attempt_at)
                WHERE status = 'pending' OR status = 'sending'
                """)
        }
        migrator.registerMigration("v31-kept-opt-outs") { db in
            // A forgotten resident's opt-out, kept as a keyed digest of the number (OptOutDigests):
            // a roll imported later that names them skips them, and nothing of the number is readable.
            try db.execute(sql: "CREATE TABLE kept_opt_outs (studio_id TEXT NOT NULL, digest BLOB NOT NULL, since DATETIME NOT NULL, PRIMARY KEY (studio_id, digest)) WITHOUT ROWID")
            try db.execute(sql: "CREATE TABLE privacy_key (id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL)")
            try db.execute(sql: "INSERT INTO privacy_key(id, key) VALUES (1, ?)", arguments: [OptOutDigests.newKey()])
        }
        migrator.registerMigration("v32-intake-rowids") { db in
            // Intake's four tables take their ids as any rowid table does (the largest plus one)
            // rather than through AUTOINCREMENT, which reads and writes `sqlite_sequence` at each
            // insert: eight a text, measured as a tenth of the writer's CPU (BENCHMARKS.md). The
            // two differ only after the row with the largest id is deleted, and rows of these
            // tables are never deleted (erasure and the purge blank them), so an id is still never
            // given twice. Nothing on the disk changes but the tables' declarations: SQLite's
            // documented way for such a change (writable_schema, then schema_version one up, which
            // also makes this connection read the new declarations).
            let tables = Migrations.intakeTables.map { "'\($0)'" }.joined(separator: ", ")
            let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
            try db.execute(sql: "PRAGMA writable_schema = ON")
            try db.execute(sql: """
                UPDATE sqlite_schema SET sql = replace(sql, ' AUTOINCREMENT', '')
                WHERE type = 'table' AND name IN (\(tables))
                """)
            try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
            try db.execute(sql: "PRAGMA writable_schema = OFF")
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name IN (\(tables))")
        }
        return migrator
    }

    /// The tables every text writes to, whose ids come without AUTOINCREMENT (v32).
    static let intakeTables = ["messages", "cases", "outbox", "case_events"]
}
