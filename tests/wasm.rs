//! The core compiled to wasm, run in headless Chromium (wasm-bindgen-test): the same
//! reports as native on fixtures (the native snapshots are the reference).

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Every fixture case with its native snapshot (regenerate this list when fixtures are added;
/// `fixture_list_is_complete` in tests/fixtures.rs checks it).
const CASES: &[(&str, &str, &str)] = &[
    ("AML-CMP-001", include_str!("fixtures/AML-CMP-001/delegated-to-aci.case"), include_str!("snapshots/AML-CMP-001__delegated-to-aci.snap")),
    ("AML-CMP-001", include_str!("fixtures/AML-CMP-001/not-delegated.case"), include_str!("snapshots/AML-CMP-001__not-delegated.snap")),
    ("AML-CMP-002", include_str!("fixtures/AML-CMP-002/other-subscription.case"), include_str!("snapshots/AML-CMP-002__other-subscription.snap")),
    ("AML-CMP-002", include_str!("fixtures/AML-CMP-002/same-subscription.case"), include_str!("snapshots/AML-CMP-002__same-subscription.snap")),
    ("AML-CMP-003", include_str!("fixtures/AML-CMP-003/full-slash-29.case"), include_str!("snapshots/AML-CMP-003__full-slash-29.snap")),
    ("AML-CMP-003", include_str!("fixtures/AML-CMP-003/room.case"), include_str!("snapshots/AML-CMP-003__room.snap")),
    ("AML-CMP-004", include_str!("fixtures/AML-CMP-004/below-max.case"), include_str!("snapshots/AML-CMP-004__below-max.snap")),
    ("AML-CMP-004", include_str!("fixtures/AML-CMP-004/below-min.case"), include_str!("snapshots/AML-CMP-004__below-min.snap")),
    ("AML-CMP-004", include_str!("fixtures/AML-CMP-004/room.case"), include_str!("snapshots/AML-CMP-004__room.snap")),
    ("AML-CMP-005", include_str!("fixtures/AML-CMP-005/no-policy.case"), include_str!("snapshots/AML-CMP-005__no-policy.snap")),
    ("AML-CMP-005", include_str!("fixtures/AML-CMP-005/policy.case"), include_str!("snapshots/AML-CMP-005__policy.snap")),
    ("AML-CMP-006", include_str!("fixtures/AML-CMP-006/default-outbound.case"), include_str!("snapshots/AML-CMP-006__default-outbound.snap")),
    ("AML-CMP-006", include_str!("fixtures/AML-CMP-006/deny-all-outbound.case"), include_str!("snapshots/AML-CMP-006__deny-all-outbound.snap")),
    ("AML-CMP-007", include_str!("fixtures/AML-CMP-007/other-region-2023.case"), include_str!("snapshots/AML-CMP-007__other-region-2023.snap")),
    (
        "AML-CMP-007",
        include_str!("fixtures/AML-CMP-007/other-region-private-workspace.case"),
        include_str!("snapshots/AML-CMP-007__other-region-private-workspace.snap"),
    ),
    ("AML-CMP-007", include_str!("fixtures/AML-CMP-007/same-region.case"), include_str!("snapshots/AML-CMP-007__same-region.snap")),
    ("AML-CMP-008", include_str!("fixtures/AML-CMP-008/other-region.case"), include_str!("snapshots/AML-CMP-008__other-region.snap")),
    ("AML-CMP-008", include_str!("fixtures/AML-CMP-008/same-region.case"), include_str!("snapshots/AML-CMP-008__same-region.snap")),
    ("AML-CMP-009", include_str!("fixtures/AML-CMP-009/storage-rule-elsewhere.case"), include_str!("snapshots/AML-CMP-009__storage-rule-elsewhere.snap")),
    ("AML-CMP-009", include_str!("fixtures/AML-CMP-009/storage-rule-for-subnet.case"), include_str!("snapshots/AML-CMP-009__storage-rule-for-subnet.snap")),
    ("AML-CMP-010", include_str!("fixtures/AML-CMP-010/azure-dns.case"), include_str!("snapshots/AML-CMP-010__azure-dns.snap")),
    ("AML-CMP-010", include_str!("fixtures/AML-CMP-010/custom-dns.case"), include_str!("snapshots/AML-CMP-010__custom-dns.snap")),
    ("AML-CMP-010", include_str!("fixtures/AML-CMP-010/vm.case"), include_str!("snapshots/AML-CMP-010__vm.snap")),
    ("AML-CMP-011", include_str!("fixtures/AML-CMP-011/cluster.case"), include_str!("snapshots/AML-CMP-011__cluster.snap")),
    ("AML-CMP-011", include_str!("fixtures/AML-CMP-011/instance.case"), include_str!("snapshots/AML-CMP-011__instance.snap")),
    ("AML-CMP-012", include_str!("fixtures/AML-CMP-012/cluster.case"), include_str!("snapshots/AML-CMP-012__cluster.snap")),
    ("AML-CMP-012", include_str!("fixtures/AML-CMP-012/vm.case"), include_str!("snapshots/AML-CMP-012__vm.snap")),
    ("AML-CMP-013", include_str!("fixtures/AML-CMP-013/cluster.case"), include_str!("snapshots/AML-CMP-013__cluster.snap")),
    ("AML-CMP-013", include_str!("fixtures/AML-CMP-013/databricks.case"), include_str!("snapshots/AML-CMP-013__databricks.snap")),
    ("AML-CMP-014", include_str!("fixtures/AML-CMP-014/cluster.case"), include_str!("snapshots/AML-CMP-014__cluster.snap")),
    ("AML-CMP-014", include_str!("fixtures/AML-CMP-014/instance.case"), include_str!("snapshots/AML-CMP-014__instance.snap")),
    ("AML-CMP-015", include_str!("fixtures/AML-CMP-015/other-region.case"), include_str!("snapshots/AML-CMP-015__other-region.snap")),
    ("AML-CMP-015", include_str!("fixtures/AML-CMP-015/same-region.case"), include_str!("snapshots/AML-CMP-015__same-region.snap")),
    ("AML-DBX-001", include_str!("fixtures/AML-DBX-001/other-region.case"), include_str!("snapshots/AML-DBX-001__other-region.snap")),
    ("AML-DBX-001", include_str!("fixtures/AML-DBX-001/same-region.case"), include_str!("snapshots/AML-DBX-001__same-region.snap")),
    ("AML-DBX-002", include_str!("fixtures/AML-DBX-002/storage-elsewhere.case"), include_str!("snapshots/AML-DBX-002__storage-elsewhere.snap")),
    ("AML-DBX-002", include_str!("fixtures/AML-DBX-002/storage-in-dbx-vnet.case"), include_str!("snapshots/AML-DBX-002__storage-in-dbx-vnet.snap")),
    ("AML-DBX-003", include_str!("fixtures/AML-DBX-003/default-subnet.case"), include_str!("snapshots/AML-DBX-003__default-subnet.snap")),
    ("AML-DBX-003", include_str!("fixtures/AML-DBX-003/no-default-subnet.case"), include_str!("snapshots/AML-DBX-003__no-default-subnet.snap")),
    ("AML-DBX-004", include_str!("fixtures/AML-DBX-004/cluster.case"), include_str!("snapshots/AML-DBX-004__cluster.snap")),
    ("AML-DBX-004", include_str!("fixtures/AML-DBX-004/databricks.case"), include_str!("snapshots/AML-DBX-004__databricks.snap")),
    ("AML-DBX-005", include_str!("fixtures/AML-DBX-005/delegated.case"), include_str!("snapshots/AML-DBX-005__delegated.snap")),
    ("AML-DBX-005", include_str!("fixtures/AML-DBX-005/not-delegated.case"), include_str!("snapshots/AML-DBX-005__not-delegated.snap")),
    ("AML-DBX-006", include_str!("fixtures/AML-DBX-006/nsg-missing.case"), include_str!("snapshots/AML-DBX-006__nsg-missing.snap")),
    ("AML-DBX-006", include_str!("fixtures/AML-DBX-006/same-nsg.case"), include_str!("snapshots/AML-DBX-006__same-nsg.snap")),
    ("AML-DBX-007", include_str!("fixtures/AML-DBX-007/big-enough.case"), include_str!("snapshots/AML-DBX-007__big-enough.snap")),
    ("AML-DBX-007", include_str!("fixtures/AML-DBX-007/slash-28.case"), include_str!("snapshots/AML-DBX-007__slash-28.snap")),
    ("AML-DBX-008", include_str!("fixtures/AML-DBX-008/dedicated.case"), include_str!("snapshots/AML-DBX-008__dedicated.snap")),
    ("AML-DBX-008", include_str!("fixtures/AML-DBX-008/shared.case"), include_str!("snapshots/AML-DBX-008__shared.snap")),
    ("AML-DBX-009", include_str!("fixtures/AML-DBX-009/defaults.case"), include_str!("snapshots/AML-DBX-009__defaults.snap")),
    ("AML-DBX-009", include_str!("fixtures/AML-DBX-009/deny-internet-out.case"), include_str!("snapshots/AML-DBX-009__deny-internet-out.snap")),
    ("AML-DET-001", include_str!("fixtures/AML-DET-001/aks-agent-pool-only.case"), include_str!("snapshots/AML-DET-001__aks-agent-pool-only.snap")),
    ("AML-DET-001", include_str!("fixtures/AML-DET-001/cluster-compute.case"), include_str!("snapshots/AML-DET-001__cluster-compute.snap")),
    ("AML-DET-002", include_str!("fixtures/AML-DET-002/npip-from-compute.case"), include_str!("snapshots/AML-DET-002__npip-from-compute.snap")),
    ("AML-DET-002", include_str!("fixtures/AML-DET-002/vm-not-applicable.case"), include_str!("snapshots/AML-DET-002__vm-not-applicable.snap")),
    ("AML-DET-003", include_str!("fixtures/AML-DET-003/region-from-workspace.case"), include_str!("snapshots/AML-DET-003__region-from-workspace.snap")),
    ("AML-DET-003", include_str!("fixtures/AML-DET-003/region-unknown.case"), include_str!("snapshots/AML-DET-003__region-unknown.snap")),
    ("AML-DEX-001", include_str!("fixtures/AML-DEX-001/no-policy.case"), include_str!("snapshots/AML-DEX-001__no-policy.snap")),
    ("AML-DEX-001", include_str!("fixtures/AML-DEX-001/policy-with-alias.case"), include_str!("snapshots/AML-DEX-001__policy-with-alias.snap")),
    ("AML-DEX-001", include_str!("fixtures/AML-DEX-001/policy-without-alias.case"), include_str!("snapshots/AML-DEX-001__policy-without-alias.snap")),
    ("AML-INP-001", include_str!("fixtures/AML-INP-001/trailing-comma.case"), include_str!("snapshots/AML-INP-001__trailing-comma.snap")),
    ("AML-INP-001", include_str!("fixtures/AML-INP-001/valid.case"), include_str!("snapshots/AML-INP-001__valid.snap")),
    ("AML-INP-002", include_str!("fixtures/AML-INP-002/recognised.case"), include_str!("snapshots/AML-INP-002__recognised.snap")),
    ("AML-INP-002", include_str!("fixtures/AML-INP-002/unrecognised.case"), include_str!("snapshots/AML-INP-002__unrecognised.snap")),
    ("AML-INP-003", include_str!("fixtures/AML-INP-003/duplicate.case"), include_str!("snapshots/AML-INP-003__duplicate.snap")),
    ("AML-INP-003", include_str!("fixtures/AML-INP-003/unique.case"), include_str!("snapshots/AML-INP-003__unique.snap")),
    ("AML-INP-004", include_str!("fixtures/AML-INP-004/bad-values.case"), include_str!("snapshots/AML-INP-004__bad-values.snap")),
    ("AML-INP-004", include_str!("fixtures/AML-INP-004/valid.case"), include_str!("snapshots/AML-INP-004__valid.snap")),
    ("AML-INP-005", include_str!("fixtures/AML-INP-005/parameter-without-value.case"), include_str!("snapshots/AML-INP-005__parameter-without-value.snap")),
    ("AML-INP-005", include_str!("fixtures/AML-INP-005/resolvable.case"), include_str!("snapshots/AML-INP-005__resolvable.snap")),
    ("AML-INP-006", include_str!("fixtures/AML-INP-006/linked.case"), include_str!("snapshots/AML-INP-006__linked.snap")),
    ("AML-INP-006", include_str!("fixtures/AML-INP-006/nsg-missing.case"), include_str!("snapshots/AML-INP-006__nsg-missing.snap")),
    ("AML-NPIP-001", include_str!("fixtures/AML-NPIP-001/approved.case"), include_str!("snapshots/AML-NPIP-001__approved.snap")),
    ("AML-NPIP-001", include_str!("fixtures/AML-NPIP-001/no-private-endpoint.case"), include_str!("snapshots/AML-NPIP-001__no-private-endpoint.snap")),
    ("AML-NPIP-002", include_str!("fixtures/AML-NPIP-002/absent.case"), include_str!("snapshots/AML-NPIP-002__absent.snap")),
    ("AML-NPIP-002", include_str!("fixtures/AML-NPIP-002/disabled.case"), include_str!("snapshots/AML-NPIP-002__disabled.snap")),
    ("AML-NPIP-002", include_str!("fixtures/AML-NPIP-002/enabled.case"), include_str!("snapshots/AML-NPIP-002__enabled.snap")),
    ("AML-NPIP-003", include_str!("fixtures/AML-NPIP-003/absent-means-enabled.case"), include_str!("snapshots/AML-NPIP-003__absent-means-enabled.snap")),
    ("AML-NPIP-003", include_str!("fixtures/AML-NPIP-003/disabled.case"), include_str!("snapshots/AML-NPIP-003__disabled.snap")),
    ("AML-NPIP-004", include_str!("fixtures/AML-NPIP-004/defaults-allow.case"), include_str!("snapshots/AML-NPIP-004__defaults-allow.snap")),
    ("AML-NPIP-004", include_str!("fixtures/AML-NPIP-004/deny-vnet.case"), include_str!("snapshots/AML-NPIP-004__deny-vnet.snap")),
    ("AML-NPIP-005", include_str!("fixtures/AML-NPIP-005/defaults-allow.case"), include_str!("snapshots/AML-NPIP-005__defaults-allow.snap")),
    ("AML-NPIP-005", include_str!("fixtures/AML-NPIP-005/deny-all-in.case"), include_str!("snapshots/AML-NPIP-005__deny-all-in.snap")),
    ("AML-NPIP-006", include_str!("fixtures/AML-NPIP-006/defaults-allow.case"), include_str!("snapshots/AML-NPIP-006__defaults-allow.snap")),
    ("AML-NPIP-006", include_str!("fixtures/AML-NPIP-006/deny-vnet.case"), include_str!("snapshots/AML-NPIP-006__deny-vnet.snap")),
    ("AML-NPIP-007", include_str!("fixtures/AML-NPIP-007/pip.case"), include_str!("snapshots/AML-NPIP-007__pip.snap")),
    ("AML-NPIP-007", include_str!("fixtures/AML-NPIP-007/unneeded-rules.case"), include_str!("snapshots/AML-NPIP-007__unneeded-rules.snap")),
    ("AML-NPIP-008", include_str!("fixtures/AML-NPIP-008/firewall-route.case"), include_str!("snapshots/AML-NPIP-008__firewall-route.snap")),
    ("AML-NPIP-008", include_str!("fixtures/AML-NPIP-008/nat-gateway.case"), include_str!("snapshots/AML-NPIP-008__nat-gateway.snap")),
    ("AML-NPIP-008", include_str!("fixtures/AML-NPIP-008/no-egress-2023.case"), include_str!("snapshots/AML-NPIP-008__no-egress-2023.snap")),
    ("AML-NPIP-008", include_str!("fixtures/AML-NPIP-008/no-egress.case"), include_str!("snapshots/AML-NPIP-008__no-egress.snap")),
    ("AML-NPIP-009", include_str!("fixtures/AML-NPIP-009/none.case"), include_str!("snapshots/AML-NPIP-009__none.snap")),
    ("AML-NPIP-009", include_str!("fixtures/AML-NPIP-009/service-endpoints.case"), include_str!("snapshots/AML-NPIP-009__service-endpoints.snap")),
    ("AML-NPIP-010", include_str!("fixtures/AML-NPIP-010/listed-region.case"), include_str!("snapshots/AML-NPIP-010__listed-region.snap")),
    ("AML-NPIP-010", include_str!("fixtures/AML-NPIP-010/unlisted-region.case"), include_str!("snapshots/AML-NPIP-010__unlisted-region.snap")),
    ("AML-NPIP-011", include_str!("fixtures/AML-NPIP-011/cluster.case"), include_str!("snapshots/AML-NPIP-011__cluster.snap")),
    ("AML-NPIP-011", include_str!("fixtures/AML-NPIP-011/instance.case"), include_str!("snapshots/AML-NPIP-011__instance.snap")),
    ("AML-NPIP-012", include_str!("fixtures/AML-NPIP-012/npip.case"), include_str!("snapshots/AML-NPIP-012__npip.snap")),
    ("AML-NPIP-012", include_str!("fixtures/AML-NPIP-012/pip.case"), include_str!("snapshots/AML-NPIP-012__pip.snap")),
    (
        "AML-NPIP-013",
        include_str!("fixtures/AML-NPIP-013/build-cluster-without-egress.case"),
        include_str!("snapshots/AML-NPIP-013__build-cluster-without-egress.snap"),
    ),
    ("AML-NPIP-013", include_str!("fixtures/AML-NPIP-013/no-image-build-compute.case"), include_str!("snapshots/AML-NPIP-013__no-image-build-compute.snap")),
    ("AML-NPIP-014", include_str!("fixtures/AML-NPIP-014/default-outbound.case"), include_str!("snapshots/AML-NPIP-014__default-outbound.snap")),
    ("AML-NPIP-014", include_str!("fixtures/AML-NPIP-014/deny-all-outbound.case"), include_str!("snapshots/AML-NPIP-014__deny-all-outbound.snap")),
    ("AML-OUT-001", include_str!("fixtures/AML-OUT-001/default-outbound.case"), include_str!("snapshots/AML-OUT-001__default-outbound.snap")),
    ("AML-OUT-001", include_str!("fixtures/AML-OUT-001/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-001__deny-all-outbound.snap")),
    ("AML-OUT-002", include_str!("fixtures/AML-OUT-002/default-outbound.case"), include_str!("snapshots/AML-OUT-002__default-outbound.snap")),
    ("AML-OUT-002", include_str!("fixtures/AML-OUT-002/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-002__deny-all-outbound.snap")),
    ("AML-OUT-003", include_str!("fixtures/AML-OUT-003/default-outbound.case"), include_str!("snapshots/AML-OUT-003__default-outbound.snap")),
    ("AML-OUT-003", include_str!("fixtures/AML-OUT-003/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-003__deny-all-outbound.snap")),
    ("AML-OUT-004", include_str!("fixtures/AML-OUT-004/default-outbound.case"), include_str!("snapshots/AML-OUT-004__default-outbound.snap")),
    ("AML-OUT-004", include_str!("fixtures/AML-OUT-004/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-004__deny-all-outbound.snap")),
    ("AML-OUT-005", include_str!("fixtures/AML-OUT-005/default-outbound.case"), include_str!("snapshots/AML-OUT-005__default-outbound.snap")),
    ("AML-OUT-005", include_str!("fixtures/AML-OUT-005/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-005__deny-all-outbound.snap")),
    ("AML-OUT-005", include_str!("fixtures/AML-OUT-005/profile-2022.case"), include_str!("snapshots/AML-OUT-005__profile-2022.snap")),
    ("AML-OUT-006", include_str!("fixtures/AML-OUT-006/default-outbound.case"), include_str!("snapshots/AML-OUT-006__default-outbound.snap")),
    ("AML-OUT-006", include_str!("fixtures/AML-OUT-006/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-006__deny-all-outbound.snap")),
    ("AML-OUT-007", include_str!("fixtures/AML-OUT-007/default-outbound.case"), include_str!("snapshots/AML-OUT-007__default-outbound.snap")),
    ("AML-OUT-007", include_str!("fixtures/AML-OUT-007/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-007__deny-all-outbound.snap")),
    (
        "AML-OUT-008",
        include_str!("fixtures/AML-OUT-008/allowed-by-tag-before-deny.case"),
        include_str!("snapshots/AML-OUT-008__allowed-by-tag-before-deny.snap"),
    ),
    ("AML-OUT-008", include_str!("fixtures/AML-OUT-008/default-outbound.case"), include_str!("snapshots/AML-OUT-008__default-outbound.snap")),
    ("AML-OUT-008", include_str!("fixtures/AML-OUT-008/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-008__deny-all-outbound.snap")),
    ("AML-OUT-008", include_str!("fixtures/AML-OUT-008/other-region-storage-only.case"), include_str!("snapshots/AML-OUT-008__other-region-storage-only.snap")),
    ("AML-OUT-009", include_str!("fixtures/AML-OUT-009/default-outbound.case"), include_str!("snapshots/AML-OUT-009__default-outbound.snap")),
    ("AML-OUT-009", include_str!("fixtures/AML-OUT-009/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-009__deny-all-outbound.snap")),
    ("AML-OUT-010", include_str!("fixtures/AML-OUT-010/default-outbound.case"), include_str!("snapshots/AML-OUT-010__default-outbound.snap")),
    ("AML-OUT-010", include_str!("fixtures/AML-OUT-010/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-010__deny-all-outbound.snap")),
    ("AML-OUT-011", include_str!("fixtures/AML-OUT-011/default-outbound.case"), include_str!("snapshots/AML-OUT-011__default-outbound.snap")),
    ("AML-OUT-011", include_str!("fixtures/AML-OUT-011/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-011__deny-all-outbound.snap")),
    ("AML-OUT-012", include_str!("fixtures/AML-OUT-012/default-outbound.case"), include_str!("snapshots/AML-OUT-012__default-outbound.snap")),
    ("AML-OUT-012", include_str!("fixtures/AML-OUT-012/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-012__deny-all-outbound.snap")),
    ("AML-OUT-013", include_str!("fixtures/AML-OUT-013/default-outbound.case"), include_str!("snapshots/AML-OUT-013__default-outbound.snap")),
    ("AML-OUT-013", include_str!("fixtures/AML-OUT-013/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-013__deny-all-outbound.snap")),
    ("AML-OUT-014", include_str!("fixtures/AML-OUT-014/default-outbound.case"), include_str!("snapshots/AML-OUT-014__default-outbound.snap")),
    ("AML-OUT-014", include_str!("fixtures/AML-OUT-014/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-014__deny-all-outbound.snap")),
    ("AML-OUT-015", include_str!("fixtures/AML-OUT-015/default-outbound.case"), include_str!("snapshots/AML-OUT-015__default-outbound.snap")),
    ("AML-OUT-015", include_str!("fixtures/AML-OUT-015/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-015__deny-all-outbound.snap")),
    ("AML-OUT-015", include_str!("fixtures/AML-OUT-015/not-hbi.case"), include_str!("snapshots/AML-OUT-015__not-hbi.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/allowed.case"), include_str!("snapshots/AML-PIP-001__allowed.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/defaults-only.case"), include_str!("snapshots/AML-PIP-001__defaults-only.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/no-nsg.case"), include_str!("snapshots/AML-PIP-001__no-nsg.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/profile-2023.case"), include_str!("snapshots/AML-PIP-001__profile-2023.snap")),
    ("AML-PIP-002", include_str!("fixtures/AML-PIP-002/allowed.case"), include_str!("snapshots/AML-PIP-002__allowed.snap")),
    ("AML-PIP-002", include_str!("fixtures/AML-PIP-002/batch-only.case"), include_str!("snapshots/AML-PIP-002__batch-only.snap")),
    ("AML-PIP-003", include_str!("fixtures/AML-PIP-003/single-ip.case"), include_str!("snapshots/AML-PIP-003__single-ip.snap")),
    ("AML-PIP-003", include_str!("fixtures/AML-PIP-003/whole-subnet.case"), include_str!("snapshots/AML-PIP-003__whole-subnet.snap")),
    (
        "AML-PIP-004",
        include_str!("fixtures/AML-PIP-004/forced-tunnel-with-tag-routes.case"),
        include_str!("snapshots/AML-PIP-004__forced-tunnel-with-tag-routes.snap"),
    ),
    ("AML-PIP-004", include_str!("fixtures/AML-PIP-004/forced-tunnel.case"), include_str!("snapshots/AML-PIP-004__forced-tunnel.snap")),
    ("AML-PIP-004", include_str!("fixtures/AML-PIP-004/no-route-table.case"), include_str!("snapshots/AML-PIP-004__no-route-table.snap")),
    ("AML-PIP-004", include_str!("fixtures/AML-PIP-004/split-default-routes.case"), include_str!("snapshots/AML-PIP-004__split-default-routes.snap")),
    ("AML-PIP-005", include_str!("fixtures/AML-PIP-005/bgp-propagation-on.case"), include_str!("snapshots/AML-PIP-005__bgp-propagation-on.snap")),
    ("AML-PIP-005", include_str!("fixtures/AML-PIP-005/npip.case"), include_str!("snapshots/AML-PIP-005__npip.snap")),
    ("AML-PIP-006", include_str!("fixtures/AML-PIP-006/default-outbound.case"), include_str!("snapshots/AML-PIP-006__default-outbound.snap")),
    ("AML-PIP-006", include_str!("fixtures/AML-PIP-006/deny-all-outbound.case"), include_str!("snapshots/AML-PIP-006__deny-all-outbound.snap")),
    ("AML-UDR-003", include_str!("fixtures/AML-UDR-003/no-routes.case"), include_str!("snapshots/AML-UDR-003__no-routes.snap")),
    ("AML-UDR-003", include_str!("fixtures/AML-UDR-003/tag-routes.case"), include_str!("snapshots/AML-UDR-003__tag-routes.snap")),
    ("AML-UDR-004", include_str!("fixtures/AML-UDR-004/appliance-without-ip.case"), include_str!("snapshots/AML-UDR-004__appliance-without-ip.snap")),
    ("AML-UDR-004", include_str!("fixtures/AML-UDR-004/no-route-table.case"), include_str!("snapshots/AML-UDR-004__no-route-table.snap")),
    ("AML-UDR-004", include_str!("fixtures/AML-UDR-004/valid.case"), include_str!("snapshots/AML-UDR-004__valid.snap")),
    ("AML-VMH-001", include_str!("fixtures/AML-VMH-001/defaults-only.case"), include_str!("snapshots/AML-VMH-001__defaults-only.snap")),
    ("AML-VMH-001", include_str!("fixtures/AML-VMH-001/ssh-allowed.case"), include_str!("snapshots/AML-VMH-001__ssh-allowed.snap")),
    ("AML-VMH-002", include_str!("fixtures/AML-VMH-002/default-outbound.case"), include_str!("snapshots/AML-VMH-002__default-outbound.snap")),
    ("AML-VMH-002", include_str!("fixtures/AML-VMH-002/restricted.case"), include_str!("snapshots/AML-VMH-002__restricted.snap")),
    ("AML-VMH-003", include_str!("fixtures/AML-VMH-003/ubuntu.case"), include_str!("snapshots/AML-VMH-003__ubuntu.snap")),
    ("AML-VMH-003", include_str!("fixtures/AML-VMH-003/windows.case"), include_str!("snapshots/AML-VMH-003__windows.snap")),
    ("AML-VMH-004", include_str!("fixtures/AML-VMH-004/cluster.case"), include_str!("snapshots/AML-VMH-004__cluster.snap")),
    ("AML-VMH-004", include_str!("fixtures/AML-VMH-004/hdinsight.case"), include_str!("snapshots/AML-VMH-004__hdinsight.snap")),
    ("AML-VMH-005", include_str!("fixtures/AML-VMH-005/cluster.case"), include_str!("snapshots/AML-VMH-005__cluster.snap")),
    ("AML-VMH-005", include_str!("fixtures/AML-VMH-005/vm.case"), include_str!("snapshots/AML-VMH-005__vm.snap")),
];

fn parse_case(text: &str) -> common::Case {
    let mut args = Vec::new();
    let mut expect = String::new();
    let mut documents: Vec<amlvnet::Document> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# args:") {
            args = rest.split_whitespace().map(String::from).collect();
        } else if let Some(rest) = line.strip_prefix("# expect:") {
            expect = rest.trim().to_string();
        } else if let Some(name) = line.strip_prefix("--- ") {
            documents.push(amlvnet::Document::new(name.trim(), String::new()));
        } else if let Some(doc) = documents.last_mut() {
            doc.text.push_str(line);
            doc.text.push('\n');
        }
    }
    common::Case { path: Default::default(), args, expect, documents }
}

#[wasm_bindgen_test]
fn wasm_reports_equal_native_snapshots() {
    assert!(CASES.len() >= 160);
    for (id, case, snapshot) in CASES {
        let case = parse_case(case);
        let report = common::run(&case);
        let mine: Vec<_> = report.findings.iter().filter(|f| f.id == *id).collect();
        let rendered = common::render(&report, &mine);
        // insta snapshots: a header between `---` lines, then the body.
        let body = snapshot.splitn(3, "---\n").nth(2).unwrap_or_default();
        assert_eq!(rendered.trim_end(), body.trim_end(), "{id} differs in wasm");
    }
}
