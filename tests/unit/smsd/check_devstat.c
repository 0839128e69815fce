/*
 * smsd's /metrics device families: one read of /proc/diskstats and of
 * /proc/net/dev parsed into a table, every family rendered from it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "../../../src/smsd/smsd.h"

/* A name of 70 characters: longer than a label the table holds. */
#define LONGNAME "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij" \
	"abcdefghijabcdefghij"

static const char diskstats[] =
    "   7       0 loop0 50 0 100 4 0 0 0 0 0 8 4 0 0 0 0 0 0\n"
    "   1       0 ram0 5 0 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    "   8       0 sda 1234 56 78901 234 5678 90 123456 789 0 4321 1111 "
    "0 0 0 0 0 0\n"
    "   8      16 sdb 1 2 3\n"
    "   8      32 sd\"x 1 0 1 0 1 0 1 0 0 1 0 0 0 0 0 0 0\n"
    "   8      48 " LONGNAME " 1 0 1 0 1 0 1 0 0 1 0 0 0 0 0 0 0\n"
    " 253       0 dm-0 7 0 8 0 9 0 10 0 0 0 0\n"
    " 259       0 nvme0n1 18446744073709551615 0 18014398509481983 0 "
    "42 0 1 0 0 1 0 0 0 0 0 0 0";	/* no newline at the end */

static const char disk_families[] =
    "# HELP sms_disk_reads_completed_total Reads completed.\n"
    "# TYPE sms_disk_reads_completed_total counter\n"
    "sms_disk_reads_completed_total{device=\"sda\"} 1234\n"
    "sms_disk_reads_completed_total{device=\"dm-0\"} 7\n"
    "sms_disk_reads_completed_total{device=\"nvme0n1\"} "
    "18446744073709551615\n"
    "# HELP sms_disk_read_bytes_total Bytes read.\n"
    "# TYPE sms_disk_read_bytes_total counter\n"
    "sms_disk_read_bytes_total{device=\"sda\"} 40397312\n"
    "sms_disk_read_bytes_total{device=\"dm-0\"} 4096\n"
    "sms_disk_read_bytes_total{device=\"nvme0n1\"} 9223372036854775296\n"
    "# HELP sms_disk_writes_completed_total Writes completed.\n"
    "# TYPE sms_disk_writes_completed_total counter\n"
    "sms_disk_writes_completed_total{device=\"sda\"} 5678\n"
    "sms_disk_writes_completed_total{device=\"dm-0\"} 9\n"
    "sms_disk_writes_completed_total{device=\"nvme0n1\"} 42\n"
    "# HELP sms_disk_written_bytes_total Bytes written.\n"
    "# TYPE sms_disk_written_bytes_total counter\n"
    "sms_disk_written_bytes_total{device=\"sda\"} 63209472\n"
    "sms_disk_written_bytes_total{device=\"dm-0\"} 5120\n"
    "sms_disk_written_bytes_total{device=\"nvme0n1\"} 512\n"
    "# HELP sms_disk_io_time_seconds_total Seconds spent doing I/O.\n"
    "# TYPE sms_disk_io_time_seconds_total counter\n"
    "sms_disk_io_time_seconds_total{device=\"sda\"} 4.321\n"
    "sms_disk_io_time_seconds_total{device=\"dm-0\"} 0.000\n"
    "sms_disk_io_time_seconds_total{device=\"nvme0n1\"} 0.001\n";

static const char netdev[] =
    "Inter-|   Receive                                                |"
    "  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|"
    "bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:  123456     789    0    0    0     0          0         0"
    "   123456     789    0    0    0     0       0          0\n"
    "  eth0: 987654321 12345    1    2    0     0          0         3"
    "  55555  666    4    5    0     0       0          0\n"
    "bad\"if: 1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n"
    " short: 1 2 3\n"
    LONGNAME ": 1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n"
    "br-0.5:1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n";

#define NET_HELP(n) \
    "# HELP sms_network_" n "_total Network interface counter, from " \
    "/proc/net/dev.\n# TYPE sms_network_" n "_total counter\n"
#define NET_LINE(n, dev, v) \
    "sms_network_" n "_total{device=\"" dev "\"} " v "\n"
#define NET_FAMILY(n, lo, eth0, br) NET_HELP(n) NET_LINE(n, "lo", lo) \
    NET_LINE(n, "eth0", eth0) NET_LINE(n, "br-0.5", br)

static const char net_families[] =
    NET_FAMILY("receive_bytes", "123456", "987654321", "1")
    NET_FAMILY("receive_packets", "789", "12345", "2")
    NET_FAMILY("receive_errors", "0", "1", "3")
    NET_FAMILY("receive_drops", "0", "2", "4")
    NET_FAMILY("transmit_bytes", "123456", "55555", "5")
    NET_FAMILY("transmit_packets", "789", "666", "6")
    NET_FAMILY("transmit_errors", "0", "4", "7")
    NET_FAMILY("transmit_drops", "0", "5", "8");

static char *
text_copy(const char *s)
{
	char *p = strdup(s);

	ck_assert_ptr_nonnull(p);
	return p;
}

START_TEST(disks_table)
{
	struct devstat_table t = { NULL, 0 };
	char *text = text_copy(diskstats);

	ck_assert_int_eq(devstat_parse_disks(text, &t), 0);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_str_eq(t.dev[0].name, "sda");
	ck_assert_uint_eq(t.dev[0].v[0], 1234);
	ck_assert_uint_eq(t.dev[0].v[1], 78901);
	ck_assert_uint_eq(t.dev[0].v[2], 5678);
	ck_assert_uint_eq(t.dev[0].v[3], 123456);
	ck_assert_uint_eq(t.dev[0].v[4], 4321);
	ck_assert_str_eq(t.dev[1].name, "dm-0");
	ck_assert_str_eq(t.dev[2].name, "nvme0n1");
	devstat_free(&t);
	ck_assert_ptr_null(t.dev);
	free(text);
}
END_TEST

/* Parse a copy of input, render it, and compare with expected whole. */
static void
render_equals(const char *input, const char *expected,
    int (*parse)(char *, struct devstat_table *),
    void (*render)(struct textbuf *, const struct devstat_table *))
{
	struct devstat_table t = { NULL, 0 };
	struct textbuf b = { NULL, 0, 0 };
	char *text = text_copy(input);

	ck_assert_int_eq(parse(text, &t), 0);
	render(&b, &t);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_str_eq(b.p, expected);
	ck_assert_uint_eq(b.len, strlen(expected));
	devstat_free(&t);
	free(b.p);
	free(text);
}

START_TEST(disks_render)
{
	render_equals(diskstats, disk_families, devstat_parse_disks,
	    devstat_render_disks);
}
END_TEST

START_TEST(network_table)
{
	struct devstat_table t = { NULL, 0 };
	char *text = text_copy(netdev);
	size_t k;

	ck_assert_int_eq(devstat_parse_network(text, &t), 0);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_str_eq(t.dev[0].name, "lo");
	ck_assert_str_eq(t.dev[1].name, "eth0");
	ck_assert_str_eq(t.dev[2].name, "br-0.5");
	for (k = 0; k < 8; k++)
		ck_assert_uint_eq(t.dev[2].v[k], k + 1);
	devstat_free(&t);
	free(text);
}
END_TEST

START_TEST(network_render)
{
	render_equals(netdev, net_families, devstat_parse_network,
	    devstat_render_network);
}
END_TEST

/* A file with no usable line still gives each family its HELP and TYPE. */
START_TEST(no_devices)
{
	struct devstat_table t = { NULL, 0 };
	struct textbuf b = { NULL, 0, 0 };
	char disks[] = "   7 0 loop0 1 0 1 0 1 0 1 0 0 1 0\n\n";
	char net[] = "Inter-|   Receive\n face |bytes\n";

	ck_assert_int_eq(devstat_parse_disks(disks, &t), 0);
	ck_assert_uint_eq(t.n, 0);
	devstat_render_disks(&b, &t);
	devstat_free(&t);
	ck_assert_int_eq(devstat_parse_network(net, &t), 0);
	ck_assert_uint_eq(t.n, 0);
	devstat_render_network(&b, &t);
	devstat_free(&t);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_str_eq(b.p,
	    "# HELP sms_disk_reads_completed_total Reads completed.\n"
	    "# TYPE sms_disk_reads_completed_total counter\n"
	    "# HELP sms_disk_read_bytes_total Bytes read.\n"
	    "# TYPE sms_disk_read_bytes_total counter\n"
	    "# HELP sms_disk_writes_completed_total Writes completed.\n"
	    "# TYPE sms_disk_writes_completed_total counter\n"
	    "# HELP sms_disk_written_bytes_total Bytes written.\n"
	    "# TYPE sms_disk_written_bytes_total counter\n"
	    "# HELP sms_disk_io_time_seconds_total Seconds spent doing I/O.\n"
	    "# TYPE sms_disk_io_time_seconds_total counter\n"
	    NET_HELP("receive_bytes") NET_HELP("receive_packets")
	    NET_HELP("receive_errors") NET_HELP("receive_drops")
	    NET_HELP("transmit_bytes") NET_HELP("transmit_packets")
	    NET_HELP("transmit_errors") NET_HELP("transmit_drops"));
	free(b.p);
}
END_TEST

/*
 * Every line a device, the last one without its newline: the table holds
 * them all (one entry more than there are newlines).
 */
START_TEST(many_devices)
{
	struct devstat_table t = { NULL, 0 };
	size_t i, n = 2000, off = 0, cap = n * 64;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
		    "veth%zu:%zu 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0\n", i, i);
	text[off - 1] = '\0';
	ck_assert_int_eq(devstat_parse_network(text, &t), 0);
	ck_assert_uint_eq(t.n, n);
	ck_assert_str_eq(t.dev[n - 1].name, "veth1999");
	ck_assert_uint_eq(t.dev[n - 1].v[0], n - 1);
	ck_assert_uint_eq(t.dev[n - 1].v[4], 1);
	devstat_free(&t);
	free(text);
}
END_TEST

static Suite *
devstat_suite(void)
{
	Suite *s = suite_create("smsd_devstat");
	TCase *tc = tcase_create("devstat");

	tcase_add_test(tc, disks_table);
	tcase_add_test(tc, disks_render);
	tcase_add_test(tc, network_table);
	tcase_add_test(tc, network_render);
	tcase_add_test(tc, no_devices);
	tcase_add_test(tc, many_devices);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(devstat_suite)
