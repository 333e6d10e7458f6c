import Foundation
@testable import HotlineCore

/// The repository root, found from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// 2026-11-25 is a Wednesday; 2026-11-26 a Thursday (10:00 in Shanghai).
let wednesday = ISO8601DateFormatter().date(from: "2026-11-25T02:00:00Z")!
let thursday = ISO8601DateFormatter().date(from: "2026-11-26T02:00:00Z")!

/// A hand-built copy of the demo studio, so core tests need no files.
enum Demo {
    static let sectors = [
        Sector(id: "medical", name: "医药卫生", topics: [.social]),
        Sector(id: "legal", name: "法律", topics: [.neighbour, .housing]),
        Sector(id: "housing", name: "住房建设", topics: [.housing, .utilities]),
        Sector(id: "agriculture", name: "农业", topics: [.water, .environment]),
        Sector(id: "economy", name: "经济", topics: [.roads, .employment]),
        Sector(id: "education", name: "教育", topics: [.education]),
    ]

    static let studio = Studio(
        id: "xujiawan", name: "徐家湾委员工作室", hotlineNumbers: ["10690001"],
        timeZone: TimeZone(identifier: "Asia/Shanghai")!, duty: [.wednesday: ["M1", "M2"]],
        roster: [
            RosterEntry(id: "M1", name: "张委员", phone: "+8613800000001", role: .member, sector: "medical", areas: ["徐家湾社区"]),
            RosterEntry(id: "M2", name: "李委员", phone: "+8613800000002", role: .member, sector: "legal", areas: ["徐家湾社区"]),
            RosterEntry(id: "M3", name: "王委员", phone: "+8613800000003", role: .member, sector: "housing", areas: ["龙湖社区"]),
            RosterEntry(id: "M4", name: "赵委员", phone: "+8613800000004", role: .member, sector: "agriculture", areas: ["燕村"]),
            RosterEntry(id: "M5", name: "刘委员", phone: "+8613800000005", role: .member, sector: "economy", areas: ["谭家庄村"]),
            RosterEntry(id: "M6", name: "陈委员", phone: "+8613800000006", role: .member, sector: "education", areas: ["龙湖社区"]),
            RosterEntry(id: "L1", name: "周联络员", phone: "+8613900000001", role: .liaison),
            RosterEntry(id: "L2", name: "吴联络员", phone: "+8613900000002", role: .liaison),
        ],
        areas: [
            Area(id: "徐家湾社区", aliases: ["徐家湾", "徐家灣"]), Area(id: "龙湖社区", aliases: ["龙湖", "龍湖", "龙湖小区"]),
            Area(id: "燕村", aliases: ["燕村村"]), Area(id: "谭家庄村", aliases: ["谭家庄", "譚家莊"]),
        ],
        residents: [KnownResident(phone: "+8613700000001", area: "龙湖社区"), KnownResident(phone: "+8613700000002", area: "燕村")],
        outboundChannel: "dryrun")
}
