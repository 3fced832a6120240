/* test_addr.c - addresses and CIDR networks as plain values (addr.c) */
#include "autoconf.h"
#include "addr.h"
#include "unit.h"

/* str - an address as text */
static const char *
str(const struct addr *a)
{
	static char buf[ADDR_STRLEN];

	return addr_str(a, buf, sizeof(buf));
}

START_TEST(addresses_parse_whole_or_not_at_all)
{
	struct addr a;

	ck_assert_int_eq(addr_parse("192.0.2.1", &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(addr_bits(&a), 32);
	ck_assert_str_eq(str(&a), "192.0.2.1");
	ck_assert_int_eq(addr_parse("2001:DB8::1", &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_int_eq(addr_bits(&a), 128);
	ck_assert_str_eq(str(&a), "2001:db8::1");
	ck_assert_int_eq(addr_parse("192.0.2", &a), -1);
	ck_assert_int_eq(addr_parse("192.0.2.1 ", &a), -1);
	ck_assert_int_eq(addr_parse("192.0.2.256", &a), -1);
	ck_assert_int_eq(addr_parse("mx.example.org", &a), -1);
	ck_assert_int_eq(addr_parse("", &a), -1);
	ck_assert_int_eq(addr_parse("[192.0.2.1]", &a), -1);
}
END_TEST

START_TEST(v4_mapped_ipv6_becomes_ipv4)
{
	struct addr a, b;
	struct sockaddr_in6 in6;

	ck_assert_int_eq(addr_parse("::ffff:192.0.2.7", &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(addr_parse("192.0.2.7", &b), 0);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:192.0.2.7", &in6.sin6_addr), 1);
	ck_assert_int_eq(addr_from_sockaddr((struct sockaddr *)&in6, &a), 0);
	ck_assert_mem_eq(&a, &b, sizeof(a));
}
END_TEST

START_TEST(sockaddrs_of_both_families_and_none)
{
	struct addr a;
	struct sockaddr_in in;
	struct sockaddr_un_like { sa_family_t f; char path[8]; } un = { AF_UNIX, "x" };

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, "198.51.100.3", &in.sin_addr), 1);
	ck_assert_int_eq(addr_from_sockaddr((struct sockaddr *)&in, &a), 0);
	ck_assert_str_eq(str(&a), "198.51.100.3");
	ck_assert_int_eq(addr_from_sockaddr(NULL, &a), -1);
	ck_assert_int_eq(addr_from_sockaddr((struct sockaddr *)(void *)&un, &a), -1);
}
END_TEST

START_TEST(networks_need_zero_host_bits_and_a_sane_prefix)
{
	struct cidr c;
	const char *why = NULL;
	char buf[ADDR_STRLEN];

	ck_assert_int_eq(cidr_parse("192.0.2.0/24", &c, &why), 0);
	ck_assert_int_eq(c.len, 24);
	ck_assert_str_eq(cidr_str(&c, buf, sizeof(buf)), "192.0.2.0/24");
	ck_assert_int_eq(cidr_parse("192.0.2.9", &c, &why), 0);
	ck_assert_int_eq(c.len, 32);
	ck_assert_str_eq(cidr_str(&c, buf, sizeof(buf)), "192.0.2.9");
	ck_assert_int_eq(cidr_parse("2001:db8::/32", &c, &why), 0);
	ck_assert_str_eq(cidr_str(&c, buf, sizeof(buf)), "2001:db8::/32");
	ck_assert_int_eq(cidr_parse("0.0.0.0/0", &c, &why), 0);

	ck_assert_int_eq(cidr_parse("192.0.2.1/24", &c, &why), -1);
	ck_assert_str_eq(why, "host bits set after the prefix length");
	ck_assert_int_eq(cidr_parse("192.0.2.0/33", &c, &why), -1);
	ck_assert_str_eq(why, "prefix length over 32");
	ck_assert_int_eq(cidr_parse("2001:db8::/129", &c, &why), -1);
	ck_assert_str_eq(why, "prefix length over 128");
	ck_assert_int_eq(cidr_parse("192.0.2.0/", &c, &why), -1);
	ck_assert_str_eq(why, "bad prefix length");
	ck_assert_int_eq(cidr_parse("192.0.2.0/24x", &c, &why), -1);
	ck_assert_str_eq(why, "bad prefix length");
	ck_assert_int_eq(cidr_parse("192.0.2.0/-1", &c, &why), -1);
	ck_assert_str_eq(why, "bad prefix length");
	ck_assert_int_eq(cidr_parse("::ffff:192.0.2.0/120", &c, &why), -1);
	ck_assert_str_eq(why, "IPv4-mapped IPv6 network; write the IPv4 network");
	ck_assert_int_eq(cidr_parse("/24", &c, &why), -1);
	ck_assert_str_eq(why, "not an IP address or network");
	ck_assert_int_eq(cidr_parse("example.org/24", &c, &why), -1);
	ck_assert_str_eq(why, "not an IP address or network");
}
END_TEST

START_TEST(a_network_contains_its_addresses_and_no_others)
{
	struct cidr c;
	struct addr a;
	const char *why;

	ck_assert_int_eq(cidr_parse("198.51.100.0/25", &c, &why), 0);
	ck_assert_int_eq(addr_parse("198.51.100.127", &a), 0);
	ck_assert_int_eq(cidr_contains(&c, &a), 1);
	ck_assert_int_eq(addr_parse("198.51.100.128", &a), 0);
	ck_assert_int_eq(cidr_contains(&c, &a), 0);
	ck_assert_int_eq(addr_parse("::ffff:198.51.100.1", &a), 0);
	ck_assert_int_eq(cidr_contains(&c, &a), 1);
	ck_assert_int_eq(addr_parse("2001:db8::1", &a), 0);
	ck_assert_int_eq(cidr_contains(&c, &a), 0);      /* other family */

	ck_assert_int_eq(cidr_parse("2001:db8:8000::/33", &c, &why), 0);
	ck_assert_int_eq(addr_parse("2001:db8:ffff::1", &a), 0);
	ck_assert_int_eq(cidr_contains(&c, &a), 1);
	ck_assert_int_eq(addr_parse("2001:db8:7fff::1", &a), 0);
	ck_assert_int_eq(cidr_contains(&c, &a), 0);
}
END_TEST

START_TEST(masking_clears_the_bits_after_the_prefix)
{
	struct addr a;

	ck_assert_int_eq(addr_parse("203.0.113.255", &a), 0);
	addr_mask(&a, 27);
	ck_assert_str_eq(str(&a), "203.0.113.224");
	addr_mask(&a, 0);
	ck_assert_str_eq(str(&a), "0.0.0.0");
	ck_assert_int_eq(addr_parse("2001:db8:ffff:ffff::1", &a), 0);
	addr_mask(&a, 36);
	ck_assert_str_eq(str(&a), "2001:db8:f000::");
	ck_assert_int_eq(addr_parse("2001:db8::1", &a), 0);
	addr_mask(&a, 128);
	ck_assert_str_eq(str(&a), "2001:db8::1");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("addr");
	TCase *t = tcase_create("addr");

	tcase_add_test(t, addresses_parse_whole_or_not_at_all);
	tcase_add_test(t, v4_mapped_ipv6_becomes_ipv4);
	tcase_add_test(t, sockaddrs_of_both_families_and_none);
	tcase_add_test(t, networks_need_zero_host_bits_and_a_sane_prefix);
	tcase_add_test(t, a_network_contains_its_addresses_and_no_others);
	tcase_add_test(t, masking_clears_the_bits_after_the_prefix);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
