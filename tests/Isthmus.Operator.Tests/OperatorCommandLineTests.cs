namespace Isthmus.Operator.Tests;

public sealed class OperatorCommandLineTests
{
    [Fact]
    public void Flags_map_to_options()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--server", "http://127.0.0.1:6443", "--namespace", "isthmus", "--leader-elect", "false", "--workers", "8", "--resync", "30s",
             "--dataplane-cipher-port", "0000:3b:00.0", "--dataplane-host-port", "net_tap0,iface=isthmus0", "--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01",
             "--metrics-port", "0", "--log-format", "text", "--identity", "op-1"],
            out var options, out var error), error);

        Assert.Equal("http://127.0.0.1:6443", options.Server);
        Assert.Equal("isthmus", options.Namespace);
        Assert.False(options.LeaderElection);
        Assert.Equal(8, options.Workers);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ResyncPeriod);
        Assert.Equal("0000:3b:00.0", options.DataplaneCipherPort);
        Assert.Equal("net_tap0,iface=isthmus0", options.DataplaneHostPort);
        Assert.Equal("02:00:5e:00:01:01", options.DataplaneCipherNextHopMac);
        Assert.Equal(0, options.MetricsPort);
        Assert.False(options.JsonLogs);
        Assert.Equal("op-1", options.Identity);
    }

    [Fact]
    public void Flags_may_carry_their_value_after_an_equals_sign()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--namespace=isthmus", "--lease-duration=20s", "--dataplane=false", "--insecure-skip-tls-verify", "--health-port=8081", "--image-pull-secret=a", "--image-pull-secret", "b"],
            out var options, out var error), error);

        Assert.Equal("isthmus", options.Namespace);
        Assert.Equal(TimeSpan.FromSeconds(20), options.LeaseDuration);
        Assert.False(options.DataplaneEnabled);
        Assert.True(options.InsecureSkipTlsVerify);
        Assert.Equal(8081, options.HealthPort);
        Assert.Equal(["a", "b"], options.ImagePullSecrets);
    }

    [Fact]
    public void Running_the_dataplane_needs_the_cipher_next_hop_mac()
    {
        Assert.False(OperatorCommandLine.TryParse([], out _, out var error));
        Assert.Contains("--dataplane-cipher-next-hop-mac", error);
        Assert.True(OperatorCommandLine.TryParse(["--dataplane", "false"], out _, out error), error);
    }

    [Theory]
    [InlineData("--dataplane-cipher-next-hop-mac", "02:00:5e:00:01", "--dataplane-cipher-next-hop-mac")]
    [InlineData("--dataplane-lcores", "0,x", "--dataplane-lcores")]
    [InlineData("--dataplane-hugepage-size", "4Mi", "--dataplane-hugepage-size")]
    [InlineData("--dataplane-dpdk-memory", "lots", "--dataplane-dpdk-memory")]
    [InlineData("--dataplane-memory", "1Mi", "--dataplane-memory")]
    [InlineData("--dataplane-clear-port", "net_af_packet1,iface=eth0", "different devices")]
    [InlineData("--dataplane-crypto-device", "crypto aesni", "--dataplane-crypto-device")]
    public void Dataplane_settings_that_cannot_make_a_valid_command_are_rejected(string flag, string value, string expected)
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01", flag, value], out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_health_port_must_differ_from_the_metrics_port()
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", "--metrics-port=8080", "--health-port=8080"], out _, out var error));
        Assert.Contains("--health-port", error);
    }

    [Fact]
    public void The_token_never_appears_in_the_options_text()
    {
        Assert.True(OperatorCommandLine.TryParse(["--dataplane=false", "--server=https://10.0.0.1:6443", "--token=s3cr3t-bearer"], out var options, out var error), error);

        Assert.Equal("s3cr3t-bearer", options.Connection.Token);
        Assert.DoesNotContain("s3cr3t-bearer", options.ToString());
        Assert.DoesNotContain("s3cr3t-bearer", options.Connection.ToString());
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--leader-elect", "yes")]
    [InlineData("--server", "not a url")]
    [InlineData("--resync", "10")]
    [InlineData("--bogus", "1")]
    [InlineData("--metrics-port", "70000")]
    [InlineData("--metrics-host", "metrics.example")]
    [InlineData("--leader-elect=maybe", null)]
    [InlineData("--workers", null)]
    public void Bad_flags_are_reported(string flag, string? value)
    {
        Assert.False(OperatorCommandLine.TryParse(value is null ? ["--dataplane=false", flag] : ["--dataplane=false", flag, value], out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_renew_deadline_not_below_the_lease_duration_is_rejected()
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", "--lease-duration", "10s", "--renew-deadline", "10s"], out _, out var error));
        Assert.Contains("renew-deadline", error);
    }

    [Fact]
    public void The_ike_pod_resources_are_read_from_their_flags()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--dataplane=false", "--ike-cpu-request=250m", "--ike-cpu-limit=1.5", "--ike-memory-request=512Mi", "--ike-memory-limit=2Gi"],
            out var options, out var error), error);

        Assert.Equal(("250m", "1.5", "512Mi", "2Gi"), (options.IkeCpuRequest, options.IkeCpuLimit, options.IkeMemoryRequest, options.IkeMemoryLimit));
    }

    [Theory]
    [InlineData("--ike-cpu-request=0", "--ike-cpu-request")]
    [InlineData("--ike-cpu-request=lots", "--ike-cpu-request")]
    [InlineData("--ike-cpu-limit=50m", "--ike-cpu-limit 50m is below --ike-cpu-request 100m")]
    [InlineData("--ike-memory-request=16Mi", "--ike-memory-request")]
    [InlineData("--ike-memory-request=2Gi", "--ike-memory-limit 1Gi is below --ike-memory-request 2Gi")]
    [InlineData("--ike-memory-limit=1GB", "--ike-memory-limit")]
    public void Ike_resources_that_cannot_make_a_valid_pod_are_rejected(string flag, string expected)
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", flag], out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_webhook_is_off_unless_a_port_is_given()
    {
        Assert.True(OperatorCommandLine.TryParse(["--dataplane=false"], out var options, out var error), error);

        Assert.Equal(0, options.WebhookPort);
        Assert.Null(options.WebhookService);
        Assert.False(options.ForbidWeakCrypto);
        Assert.Empty(options.ForbiddenAlgorithms);
    }

    [Fact]
    public void A_webhook_with_an_operator_managed_certificate_names_its_service_configuration_and_secret()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--dataplane=false", "--webhook-port=9443", "--webhook-service=isthmus-webhook", "--webhook-configuration=isthmus", "--webhook-cert-secret=isthmus-webhook-tls"],
            out var options, out var error), error);

        Assert.Equal(9443, options.WebhookPort);
        Assert.Equal(("isthmus-webhook", "isthmus", "isthmus-webhook-tls"), (options.WebhookService, options.WebhookConfiguration, options.WebhookCertSecret));
        Assert.Null(options.WebhookCertDirectory);
    }

    [Fact]
    public void A_webhook_with_a_cert_manager_certificate_names_only_its_directory()
    {
        Assert.True(OperatorCommandLine.TryParse(["--dataplane=false", "--webhook-port=9443", "--webhook-cert-dir=/var/run/isthmus/webhook-tls"], out var options, out var error), error);

        Assert.Equal("/var/run/isthmus/webhook-tls", options.WebhookCertDirectory);
    }

    [Theory]
    [InlineData("--webhook-port=9443", "--webhook-service is required")]
    [InlineData("--webhook-port=9443 --webhook-service=svc --webhook-configuration=cfg", "--webhook-cert-secret is required")]
    [InlineData("--webhook-port=9443 --webhook-cert-dir=/tls --webhook-configuration=cfg", "--webhook-configuration does not go with --webhook-cert-dir")]
    [InlineData("--webhook-port=9443 --webhook-cert-dir=tls", "--webhook-cert-dir: 'tls' is not an absolute path")]
    [InlineData("--webhook-service=svc", "--webhook-service is set but the webhook is off")]
    [InlineData("--webhook-port=8080 --webhook-cert-dir=/tls", "must differ from --metrics-port")]
    [InlineData("--webhook-port=65536", "--webhook-port")]
    [InlineData("--webhook-port=9443 --webhook-service=Isthmus_Webhook", "--webhook-service: 'Isthmus_Webhook' is not a Service name")]
    [InlineData("--webhook-port=9443 --webhook-service=svc --webhook-configuration=cfg --webhook-cert-secret=-tls", "--webhook-cert-secret")]
    public void Webhook_flags_that_describe_no_way_to_serve_it_are_rejected(string flags, string expected)
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", .. flags.Split(' ')], out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_crypto_policy_takes_weak_crypto_and_repeated_keywords()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--dataplane=false", "--forbid-weak-crypto=true", "--forbid-algorithm=modp1024", "--forbid-algorithm", "3des", "--forbid-algorithm=sha1",
             "--forbid-algorithm=prfsha1", "--forbid-algorithm=aes128gcm16", "--forbid-algorithm=null"],
            out var options, out var error), error);

        Assert.True(options.ForbidWeakCrypto);
        Assert.Equal(["modp1024", "3des", "sha1", "prfsha1", "aes128gcm16", "null"], options.ForbiddenAlgorithms);
        Assert.True(options.CryptoPolicy.ForbidWeak);
        Assert.Equal(options.ForbiddenAlgorithms, options.CryptoPolicy.ForbiddenKeywords);
    }

    [Theory]
    [InlineData("des", "is never offered by Isthmus (single DES must not be used")]
    [InlineData("camellia128", "is never offered by Isthmus (not implemented by Isthmus)")]
    [InlineData("rot13", "is not a strongSwan proposal keyword")]
    [InlineData("esn", "is a sequence-number mode, not an algorithm")]
    [InlineData("aes128-sha256", "is not one strongSwan algorithm keyword")]
    [InlineData("MODP1024", "in lower case")]
    public void Forbidden_algorithms_must_be_keywords_of_the_proposal_table(string keyword, string expected)
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", $"--forbid-algorithm={keyword}"], out _, out var error));
        Assert.Contains(expected, error);
        Assert.Contains("--forbid-algorithm", error);
    }

    [Fact]
    public void Secrets_are_selected_by_the_tunnel_secret_label_and_rechecked_every_minute_by_default()
    {
        Assert.True(OperatorCommandLine.TryParse(["--dataplane=false"], out var options, out var error), error);

        Assert.Equal("isthmus.dev/tunnel-secret=true", options.SecretLabelSelector);
        Assert.Equal(TimeSpan.FromMinutes(1), options.UnlabelledSecretRecheck);
    }

    [Theory]
    [InlineData("isthmus.dev/tunnel-secret=true")]
    [InlineData("isthmus.dev/tunnel-secret==true")]
    [InlineData("team in (net, sec),!legacy")]
    [InlineData("isthmus.dev/tunnel-secret, tier notin (test)")]
    [InlineData("site!=lab")]
    public void Label_selectors_are_accepted_as_the_api_server_writes_them(string selector)
    {
        Assert.True(OperatorCommandLine.TryParse(["--dataplane=false", "--secret-label-selector", selector, "--unlabelled-secret-recheck=30s"], out var options, out var error), error);

        Assert.Equal(selector, options.SecretLabelSelector);
        Assert.Equal(TimeSpan.FromSeconds(30), options.UnlabelledSecretRecheck);
    }

    [Theory]
    [InlineData("--secret-label-selector=", "--secret-label-selector")]
    [InlineData("--secret-label-selector=tunnel secret", "--secret-label-selector")]
    [InlineData("--secret-label-selector=a=b=c", "--secret-label-selector")]
    [InlineData("--secret-label-selector=-bad=true", "--secret-label-selector")]
    [InlineData("--unlabelled-secret-recheck=0s", "--unlabelled-secret-recheck")]
    [InlineData("--unlabelled-secret-recheck=soon", "--unlabelled-secret-recheck")]
    public void Bad_secret_flags_are_rejected(string flag, string expected)
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", flag], out _, out var error));
        Assert.Contains(expected, error);
    }
}
