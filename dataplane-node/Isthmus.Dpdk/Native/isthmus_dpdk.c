/*
 * Isthmus DPDK shim: one export per DPDK `static inline` function the C# packet engine calls, at burst
 * granularity. No logic lives here: every function forwards its fixed-width arguments unchanged.
 * Everything DPDK exports as a real symbol is bound directly from C# with [LibraryImport].
 *
 * The _Static_asserts pin every struct offset and size that the C# side reads or writes
 * (Isthmus.Dpdk.Interop.Layout): a DPDK upgrade that moves a field fails this build instead of
 * corrupting packets.
 */
#include <stddef.h>
#include <stdint.h>

#include <rte_acl.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <rte_ipsec.h>
#include <rte_ipsec_group.h>
#include <rte_ipsec_sad.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define ISTHMUS_EXPORT __attribute__((visibility("default")))

/* struct rte_mbuf: fields read and written by Isthmus.Dpdk.Interop.Mbuf */
_Static_assert(offsetof(struct rte_mbuf, buf_addr) == 0, "rte_mbuf.buf_addr");
_Static_assert(offsetof(struct rte_mbuf, data_off) == 16, "rte_mbuf.data_off");
_Static_assert(offsetof(struct rte_mbuf, nb_segs) == 20, "rte_mbuf.nb_segs");
_Static_assert(offsetof(struct rte_mbuf, port) == 22, "rte_mbuf.port");
_Static_assert(offsetof(struct rte_mbuf, ol_flags) == 24, "rte_mbuf.ol_flags");
_Static_assert(offsetof(struct rte_mbuf, packet_type) == 32, "rte_mbuf.packet_type");
_Static_assert(offsetof(struct rte_mbuf, pkt_len) == 36, "rte_mbuf.pkt_len");
_Static_assert(offsetof(struct rte_mbuf, data_len) == 40, "rte_mbuf.data_len");
_Static_assert(offsetof(struct rte_mbuf, buf_len) == 54, "rte_mbuf.buf_len");
_Static_assert(offsetof(struct rte_mbuf, next) == 64, "rte_mbuf.next");
_Static_assert(offsetof(struct rte_mbuf, tx_offload) == 72, "rte_mbuf.tx_offload");
_Static_assert(sizeof(((struct rte_mbuf *)0)->tx_offload) == 8, "rte_mbuf.tx_offload size");
_Static_assert(RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED == (1ULL << 19), "RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED");
_Static_assert(RTE_MBUF_F_RX_SEC_OFFLOAD == (1ULL << 18), "RTE_MBUF_F_RX_SEC_OFFLOAD");

/* struct rte_crypto_op: Isthmus.Dpdk.Interop.CryptoOp */
_Static_assert(offsetof(struct rte_crypto_op, status) == 1, "rte_crypto_op.status");
_Static_assert(sizeof(struct rte_crypto_op) == 24, "rte_crypto_op size");
_Static_assert(sizeof(struct rte_crypto_sym_op) == 64, "rte_crypto_sym_op size");
_Static_assert(offsetof(struct rte_crypto_sym_op, m_src) == 0, "rte_crypto_sym_op.m_src");

/* struct rte_ipsec_session and rte_ipsec_group: Isthmus.Dpdk.Interop.IpsecSession / IpsecGroup */
_Static_assert(sizeof(struct rte_ipsec_session) == 64, "rte_ipsec_session size");
_Static_assert(offsetof(struct rte_ipsec_session, sa) == 0, "rte_ipsec_session.sa");
_Static_assert(offsetof(struct rte_ipsec_session, type) == 8, "rte_ipsec_session.type");
_Static_assert(offsetof(struct rte_ipsec_session, crypto.ses) == 16, "rte_ipsec_session.crypto.ses");
_Static_assert(sizeof(struct rte_ipsec_group) == 24, "rte_ipsec_group size");
_Static_assert(offsetof(struct rte_ipsec_group, id) == 0, "rte_ipsec_group.id");
_Static_assert(offsetof(struct rte_ipsec_group, m) == 8, "rte_ipsec_group.m");
_Static_assert(offsetof(struct rte_ipsec_group, cnt) == 16, "rte_ipsec_group.cnt");

/* struct rte_ipsec_sa_prm and what it embeds: Isthmus.Dpdk.Interop.IpsecSaPrm */
_Static_assert(sizeof(struct rte_ipsec_sa_prm) == 168, "rte_ipsec_sa_prm size");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, userdata) == 0, "rte_ipsec_sa_prm.userdata");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, flags) == 8, "rte_ipsec_sa_prm.flags");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, ipsec_xform) == 16, "rte_ipsec_sa_prm.ipsec_xform");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, crypto_xform) == 144, "rte_ipsec_sa_prm.crypto_xform");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, tun.hdr_len) == 152, "rte_ipsec_sa_prm.tun.hdr_len");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, tun.hdr_l3_off) == 153, "rte_ipsec_sa_prm.tun.hdr_l3_off");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, tun.next_proto) == 154, "rte_ipsec_sa_prm.tun.next_proto");
_Static_assert(offsetof(struct rte_ipsec_sa_prm, tun.hdr) == 160, "rte_ipsec_sa_prm.tun.hdr");
_Static_assert(offsetof(struct rte_security_ipsec_xform, spi) == 0, "ipsec_xform.spi");
_Static_assert(offsetof(struct rte_security_ipsec_xform, salt) == 4, "ipsec_xform.salt");
_Static_assert(offsetof(struct rte_security_ipsec_xform, options) == 8, "ipsec_xform.options");
_Static_assert(offsetof(struct rte_security_ipsec_xform, direction) == 12, "ipsec_xform.direction");
_Static_assert(offsetof(struct rte_security_ipsec_xform, proto) == 16, "ipsec_xform.proto");
_Static_assert(offsetof(struct rte_security_ipsec_xform, mode) == 20, "ipsec_xform.mode");
_Static_assert(offsetof(struct rte_security_ipsec_xform, tunnel.type) == 24, "ipsec_xform.tunnel.type");
_Static_assert(offsetof(struct rte_security_ipsec_xform, replay_win_sz) == 104, "ipsec_xform.replay_win_sz");
_Static_assert(offsetof(struct rte_security_ipsec_xform, esn) == 112, "ipsec_xform.esn");
_Static_assert(offsetof(struct rte_security_ipsec_xform, udp.sport) == 120, "ipsec_xform.udp.sport");
_Static_assert(offsetof(struct rte_security_ipsec_xform, udp.dport) == 122, "ipsec_xform.udp.dport");

/* struct rte_crypto_sym_xform: Isthmus.Dpdk.Interop.CryptoSymXform */
_Static_assert(sizeof(struct rte_crypto_sym_xform) == 48, "rte_crypto_sym_xform size");
_Static_assert(offsetof(struct rte_crypto_sym_xform, next) == 0, "xform.next");
_Static_assert(offsetof(struct rte_crypto_sym_xform, type) == 8, "xform.type");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.op) == 16, "xform.aead.op");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.algo) == 20, "xform.aead.algo");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.key.data) == 24, "xform.aead.key.data");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.key.length) == 32, "xform.aead.key.length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.iv.offset) == 40, "xform.aead.iv.offset");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.iv.length) == 42, "xform.aead.iv.length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.digest_length) == 44, "xform.aead.digest_length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, aead.aad_length) == 46, "xform.aead.aad_length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, cipher.op) == 16, "xform.cipher.op");
_Static_assert(offsetof(struct rte_crypto_sym_xform, cipher.algo) == 20, "xform.cipher.algo");
_Static_assert(offsetof(struct rte_crypto_sym_xform, cipher.key.data) == 24, "xform.cipher.key.data");
_Static_assert(offsetof(struct rte_crypto_sym_xform, cipher.key.length) == 32, "xform.cipher.key.length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, cipher.iv.offset) == 40, "xform.cipher.iv.offset");
_Static_assert(offsetof(struct rte_crypto_sym_xform, cipher.iv.length) == 42, "xform.cipher.iv.length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, auth.op) == 16, "xform.auth.op");
_Static_assert(offsetof(struct rte_crypto_sym_xform, auth.algo) == 20, "xform.auth.algo");
_Static_assert(offsetof(struct rte_crypto_sym_xform, auth.key.data) == 24, "xform.auth.key.data");
_Static_assert(offsetof(struct rte_crypto_sym_xform, auth.key.length) == 32, "xform.auth.key.length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, auth.iv.offset) == 40, "xform.auth.iv.offset");
_Static_assert(offsetof(struct rte_crypto_sym_xform, auth.iv.length) == 42, "xform.auth.iv.length");
_Static_assert(offsetof(struct rte_crypto_sym_xform, auth.digest_length) == 44, "xform.auth.digest_length");

/* Configuration structs C# passes by pointer: Isthmus.Dpdk.Interop.Layout */
_Static_assert(sizeof(struct rte_eth_conf) == 2272, "rte_eth_conf size");
_Static_assert(sizeof(struct rte_eth_dev_info) == 376, "rte_eth_dev_info size");
_Static_assert(sizeof(struct rte_eth_stats) == 704, "rte_eth_stats size");
_Static_assert(offsetof(struct rte_eth_stats, ipackets) == 0, "rte_eth_stats.ipackets");
_Static_assert(offsetof(struct rte_eth_stats, opackets) == 8, "rte_eth_stats.opackets");
_Static_assert(offsetof(struct rte_eth_stats, ibytes) == 16, "rte_eth_stats.ibytes");
_Static_assert(offsetof(struct rte_eth_stats, obytes) == 24, "rte_eth_stats.obytes");
_Static_assert(offsetof(struct rte_eth_stats, imissed) == 32, "rte_eth_stats.imissed");
_Static_assert(sizeof(struct rte_cryptodev_config) == 16, "rte_cryptodev_config size");
_Static_assert(offsetof(struct rte_cryptodev_config, socket_id) == 0, "rte_cryptodev_config.socket_id");
_Static_assert(offsetof(struct rte_cryptodev_config, nb_queue_pairs) == 4, "rte_cryptodev_config.nb_queue_pairs");
_Static_assert(offsetof(struct rte_cryptodev_config, ff_disable) == 8, "rte_cryptodev_config.ff_disable");
_Static_assert(sizeof(struct rte_cryptodev_qp_conf) == 16, "rte_cryptodev_qp_conf size");
_Static_assert(offsetof(struct rte_cryptodev_qp_conf, nb_descriptors) == 0, "qp_conf.nb_descriptors");
_Static_assert(offsetof(struct rte_cryptodev_qp_conf, mp_session) == 8, "qp_conf.mp_session");
_Static_assert(RTE_PKTMBUF_HEADROOM == 128, "RTE_PKTMBUF_HEADROOM");
_Static_assert(sizeof(struct rte_mbuf) == 128, "rte_mbuf size: the engine's private area follows it");
_Static_assert(sizeof(struct rte_ipsec_sad_conf) == 20, "rte_ipsec_sad_conf size");
_Static_assert(offsetof(struct rte_ipsec_sad_conf, max_sa) == 4, "rte_ipsec_sad_conf.max_sa");
_Static_assert(offsetof(struct rte_ipsec_sad_conf, flags) == 16, "rte_ipsec_sad_conf.flags");
_Static_assert(RTE_IPSEC_SAD_FLAG_RW_CONCURRENCY == 2, "RTE_IPSEC_SAD_FLAG_RW_CONCURRENCY");
_Static_assert(sizeof(union rte_ipsec_sad_key) == 36, "rte_ipsec_sad_key size");
_Static_assert(offsetof(struct rte_ipsec_sadv4_key, spi) == 0, "rte_ipsec_sadv4_key.spi");

/* rte_acl: Isthmus.Dpdk.Interop.Acl and Isthmus.Dpdk.Engine.AclClassifier (rules are 16 + 16 * fields bytes) */
_Static_assert(sizeof(struct rte_acl_param) == 24, "rte_acl_param size");
_Static_assert(offsetof(struct rte_acl_param, socket_id) == 8, "rte_acl_param.socket_id");
_Static_assert(offsetof(struct rte_acl_param, rule_size) == 12, "rte_acl_param.rule_size");
_Static_assert(offsetof(struct rte_acl_param, max_rule_num) == 16, "rte_acl_param.max_rule_num");
_Static_assert(sizeof(struct rte_acl_config) == 528, "rte_acl_config size");
_Static_assert(offsetof(struct rte_acl_config, defs) == 8, "rte_acl_config.defs");
_Static_assert(offsetof(struct rte_acl_config, max_size) == 520, "rte_acl_config.max_size");
_Static_assert(sizeof(struct rte_acl_field_def) == 8, "rte_acl_field_def size");
_Static_assert(offsetof(struct rte_acl_field_def, offset) == 4, "rte_acl_field_def.offset");
_Static_assert(sizeof(struct rte_acl_rule_data) == 12, "rte_acl_rule_data size");
_Static_assert(offsetof(struct rte_acl_rule_data, priority) == 4, "rte_acl_rule_data.priority");
_Static_assert(offsetof(struct rte_acl_rule_data, userdata) == 8, "rte_acl_rule_data.userdata");
_Static_assert(sizeof(struct rte_acl_field) == 16, "rte_acl_field size");
_Static_assert(offsetof(struct rte_acl_field, mask_range) == 8, "rte_acl_field.mask_range");
_Static_assert(offsetof(struct rte_acl_rule, field) == 16, "rte_acl_rule.field");
_Static_assert(RTE_ACL_MAX_PRIORITY == 0x1FFFFFFF, "RTE_ACL_MAX_PRIORITY");
_Static_assert(RTE_ACL_FIELD_TYPE_MASK == 0 && RTE_ACL_FIELD_TYPE_RANGE == 1 && RTE_ACL_FIELD_TYPE_BITMASK == 2, "rte_acl field types");

/* rte_ip_frag: Isthmus.Dpdk.Interop.IpFrag allocates the death row (32 * (RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1) mbufs) */
_Static_assert(sizeof(struct rte_ip_frag_death_row) == 2312, "rte_ip_frag_death_row size");
_Static_assert(RTE_LIBRTE_IP_FRAG_MAX_FRAG == 8, "RTE_LIBRTE_IP_FRAG_MAX_FRAG (Isthmus.Esp.EspMtu.MaxFragments)");

/* ethdev */
ISTHMUS_EXPORT uint16_t
isthmus_eth_rx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rte_eth_rx_burst(port_id, queue_id, pkts, nb_pkts);
}

ISTHMUS_EXPORT uint16_t
isthmus_eth_tx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rte_eth_tx_burst(port_id, queue_id, pkts, nb_pkts);
}

/* cryptodev */
ISTHMUS_EXPORT uint16_t
isthmus_cryptodev_enqueue_burst(uint8_t dev_id, uint16_t qp_id, struct rte_crypto_op **ops, uint16_t nb_ops)
{
	return rte_cryptodev_enqueue_burst(dev_id, qp_id, ops, nb_ops);
}

ISTHMUS_EXPORT uint16_t
isthmus_cryptodev_dequeue_burst(uint8_t dev_id, uint16_t qp_id, struct rte_crypto_op **ops, uint16_t nb_ops)
{
	return rte_cryptodev_dequeue_burst(dev_id, qp_id, ops, nb_ops);
}

ISTHMUS_EXPORT void
isthmus_cryptodev_sym_session_opaque_data_set(void *sess, uint64_t opaque)
{
	rte_cryptodev_sym_session_opaque_data_set(sess, opaque);
}

/* mbufs, crypto ops, mempools */
ISTHMUS_EXPORT struct rte_mbuf *
isthmus_pktmbuf_alloc(struct rte_mempool *mp)
{
	return rte_pktmbuf_alloc(mp);
}

ISTHMUS_EXPORT int32_t
isthmus_pktmbuf_alloc_bulk(struct rte_mempool *mp, struct rte_mbuf **mbufs, uint32_t count)
{
	return rte_pktmbuf_alloc_bulk(mp, mbufs, count);
}

ISTHMUS_EXPORT int32_t
isthmus_pktmbuf_linearize(struct rte_mbuf *m)
{
	return rte_pktmbuf_linearize(m);
}

ISTHMUS_EXPORT void
isthmus_pktmbuf_free(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

ISTHMUS_EXPORT uint32_t
isthmus_crypto_op_bulk_alloc(struct rte_mempool *mp, uint32_t type, struct rte_crypto_op **ops, uint16_t nb_ops)
{
	return rte_crypto_op_bulk_alloc(mp, (enum rte_crypto_op_type)type, ops, nb_ops);
}

ISTHMUS_EXPORT void
isthmus_mempool_put_bulk(struct rte_mempool *mp, void *const *objs, uint32_t n)
{
	rte_mempool_put_bulk(mp, objs, n);
}

ISTHMUS_EXPORT uint32_t
isthmus_mempool_avail_count(const struct rte_mempool *mp)
{
	return rte_mempool_avail_count(mp);
}

/* rte_ipsec data path */
ISTHMUS_EXPORT uint16_t
isthmus_ipsec_pkt_crypto_prepare(const struct rte_ipsec_session *ss, struct rte_mbuf **mb,
	struct rte_crypto_op **cop, uint16_t num)
{
	return rte_ipsec_pkt_crypto_prepare(ss, mb, cop, num);
}

ISTHMUS_EXPORT uint16_t
isthmus_ipsec_pkt_process(const struct rte_ipsec_session *ss, struct rte_mbuf **mb, uint16_t num)
{
	return rte_ipsec_pkt_process(ss, mb, num);
}

ISTHMUS_EXPORT uint16_t
isthmus_ipsec_pkt_crypto_group(const struct rte_crypto_op **cop, struct rte_mbuf **mb,
	struct rte_ipsec_group *grp, uint16_t num)
{
	return rte_ipsec_pkt_crypto_group(cop, mb, grp, num);
}

/* EAL per-lcore state */
ISTHMUS_EXPORT uint32_t
isthmus_lcore_id(void)
{
	return rte_lcore_id();
}

ISTHMUS_EXPORT int32_t
isthmus_errno(void)
{
	return rte_errno;
}
