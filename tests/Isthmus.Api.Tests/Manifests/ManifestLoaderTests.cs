using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;

namespace Isthmus.Api.Tests.Manifests;

public class ManifestLoaderTests
{
    [Fact]
    public void Examples_load_into_tunnels_selectors_and_secrets()
    {
        var set = ManifestLoader.Load(ManifestFiles.ExampleFiles);

        Assert.Equal(["branch-to-hq", "dc1-to-dc2-v6", "hq-to-branch"], set.Tunnels.Select(t => t.Metadata.Name).Order());
        Assert.Equal(["branch-lans", "hq-dns"], set.TrafficSelectors.Select(t => t.Metadata.Name).Order());
        Assert.Equal(["dc-psk", "hq-branch-psk"], set.Secrets.Select(t => t.Metadata.Name).Order());

        var hq = set.Tunnels.Single(t => t.Metadata.Name == "hq-to-branch");
        Assert.Equal("default", hq.Metadata.NamespaceProperty);
        Assert.Equal(V1Alpha1StartAction.Initiate, hq.Spec.StartAction);
        Assert.Equal(V1Alpha1IkeIdentityType.Fqdn, hq.Spec.Peer.Id!.Type);
        Assert.Equal("branch.example.com", hq.Spec.Peer.Id.Value);
        Assert.Equal(["aes256gcm16-prfsha384-ecp384", "aes256-sha256-ecp256"], hq.Spec.Ike.Proposals);
        Assert.Equal(500_000_000_000, hq.Spec.Child.RekeyBytes);
        Assert.Equal("tcp", hq.Spec.TrafficSelectors.Inline!.Remote![1].Protocol);
        Assert.Equal(443, hq.Spec.TrafficSelectors.Inline.Remote[1].Ports!.Start);

        var branch = set.Tunnels.Single(t => t.Metadata.Name == "branch-to-hq");
        Assert.Equal(V1Alpha1StartAction.Respond, branch.Spec.StartAction);
        Assert.Equal(500, branch.Spec.Peer.Port);
        Assert.Equal("psk", branch.Spec.Authentication.Psk!.SecretRef.Key);
        Assert.Equal(["branch-lans", "hq-dns"], branch.Spec.TrafficSelectors.Refs);
        Assert.Equal("branch", branch.Metadata.Labels!["site"]);

        var v6 = set.Tunnels.Single(t => t.Metadata.Name == "dc1-to-dc2-v6");
        Assert.Equal(V1Alpha1IkeIdentityType.DerAsn1Dn, v6.Spec.Local.Id!.Type);
        Assert.Equal(V1Alpha1NatTraversal.Disabled, v6.Spec.Ike.NatTraversal);
        Assert.Null(v6.Spec.Peer.Id);

        Assert.True(set.TryGetSecret("default", "hq-branch-psk", out var secret));
        Assert.Equal("example-only-replace-me-with-32-random-bytes", secret.StringData!["psk"]);
    }

    [Fact]
    public void Multi_document_file_without_namespace_defaults_and_other_kinds_are_ignored()
    {
        using var files = new ManifestFiles();
        var path = files.Write("all.yml", """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: vpn
            ---
            ---
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: TrafficSelector
            metadata:
              name: lans
            spec:
              local: [{cidr: 10.0.0.0/8}]
              remote: [{cidr: 172.16.0.0/12, protocol: 6}]
            """);
        var set = ManifestLoader.Load(path);
        var selector = Assert.Single(set.TrafficSelectors);
        Assert.Equal("default", selector.Metadata.NamespaceProperty);
        Assert.Equal("6", selector.Spec.Remote![0].Protocol);
        Assert.Empty(set.Tunnels);
    }

    [Fact]
    public void Numbers_written_unquoted_in_string_fields_keep_their_text()
    {
        using var files = new ManifestFiles();
        var path = files.Write("s.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: numeric}
            stringData:
              psk: 0012345
              other: 1.50e3
            """);
        var secret = Assert.Single(ManifestLoader.Load(path).Secrets);
        Assert.Equal("0012345", secret.StringData!["psk"]);
        Assert.Equal("1.50e3", secret.StringData["other"]);
    }

    private static ManifestException LoadError(string yaml, string fileName = "bad.yaml")
    {
        using var files = new ManifestFiles();
        var path = files.Write(fileName, yaml);
        var e = Assert.Throws<ManifestException>(() => ManifestLoader.Load(path));
        Assert.Equal(path, e.File);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void Unknown_field_is_named_with_its_path()
    {
        var e = LoadError("""
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: TrafficSelector
            metadata: {name: a}
            spec: {local: [{cidr: 10.0.0.0/8}]}
            ---
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: IpsecTunnel
            metadata: {name: t}
            spec:
              ike:
                proposal: [aes128-sha256-modp2048]
            """);
        Assert.Equal(2, e.Document);
        Assert.Equal("spec.ike.proposal", e.Field);
        Assert.EndsWith(": document 2: field 'spec.ike.proposal': unknown field", e.Message);
    }

    [Fact]
    public void Invalid_enum_value_lists_the_allowed_values()
    {
        var e = LoadError("""
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: IpsecTunnel
            metadata: {name: t}
            spec:
              startAction: Start
            """);
        Assert.Equal("spec.startAction", e.Field);
        Assert.Equal("invalid value \"Start\": expected one of Initiate, Respond, OnDemand", e.Reason);
    }

    [Fact]
    public void Identity_type_uses_the_network_names()
    {
        var e = LoadError("""
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: IpsecTunnel
            metadata: {name: t}
            spec:
              peer: {id: {type: EMAIL, value: a@b}}
            """);
        Assert.Equal("spec.peer.id.type", e.Field);
        Assert.Equal("invalid value \"EMAIL\": expected one of IPv4, IPv6, FQDN, USER_FQDN, KEY_ID, DER_ASN1_DN", e.Reason);
    }

    [Fact]
    public void Wrong_type_names_the_field_and_expected_type()
    {
        var e = LoadError("""
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: IpsecTunnel
            metadata: {name: t}
            spec:
              peer: {address: 192.0.2.1, port: many}
            """);
        Assert.Equal("spec.peer.port", e.Field);
        Assert.Equal("invalid value \"many\": expected an integer", e.Reason);
    }

    [Fact]
    public void Secret_errors_never_show_the_value()
    {
        var e = LoadError("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            stringData:
              psk: true
            """);
        Assert.Equal("stringData.psk", e.Field);
        Assert.DoesNotContain("true", e.Message);

        var e2 = LoadError("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data:
              psk: [very-secret-value]
            """);
        Assert.Equal("data.psk", e2.Field);
        Assert.DoesNotContain("very-secret-value", e2.Message);
    }

    [Theory]
    [InlineData("kind: IpsecTunnel\nmetadata: {name: t}\n", "apiVersion", "required")]
    [InlineData("apiVersion: ipsec.isthmus.dev/v1alpha1\nmetadata: {name: t}\n", "kind", "required")]
    [InlineData("apiVersion: ipsec.isthmus.dev/v1alpha1\nkind: IpsecTunnel\nmetadata: {}\n", "metadata.name", "required")]
    [InlineData("apiVersion: ipsec.isthmus.dev/v1alpha1\nkind: IpsecTunnel\nmetadata: {name: Bad_Name}\n", "metadata.name", "'Bad_Name' is not a valid name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)")]
    [InlineData("apiVersion: ipsec.isthmus.dev/v1alpha1\nkind: IpsecTunel\nmetadata: {name: t}\n", "kind", "unknown kind 'IpsecTunel' in ipsec.isthmus.dev/v1alpha1 (expected IpsecTunnel or TrafficSelector)")]
    [InlineData("apiVersion: ipsec.isthmus.dev/v1\nkind: IpsecTunnel\nmetadata: {name: t}\n", "apiVersion", "unsupported version 'ipsec.isthmus.dev/v1' (expected ipsec.isthmus.dev/v1alpha1)")]
    public void Identifying_fields_are_checked(string yaml, string field, string reason)
    {
        var e = LoadError(yaml);
        Assert.Equal(1, e.Document);
        Assert.Equal(field, e.Field);
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Yaml_syntax_error_names_line_and_column()
    {
        var e = LoadError("apiVersion: v1\nkind: [Secret\n");
        Assert.Null(e.Document);
        Assert.StartsWith("invalid YAML at line ", e.Reason);
    }

    [Fact]
    public void Duplicate_key_is_an_error()
    {
        var e = LoadError("apiVersion: v1\nkind: Secret\nkind: Secret\n");
        Assert.Equal("invalid YAML at line 3, column 1: Duplicate key kind", e.Reason);
    }

    [Fact]
    public void Document_that_is_not_a_mapping_is_an_error()
    {
        var e = LoadError("- a\n- b\n");
        Assert.Equal("a document must be a mapping with apiVersion, kind and metadata", e.Reason);
    }

    [Fact]
    public void Same_resource_twice_is_an_error_naming_both_places()
    {
        using var files = new ManifestFiles();
        const string yaml = "apiVersion: ipsec.isthmus.dev/v1alpha1\nkind: TrafficSelector\nmetadata: {name: a}\n";
        var first = files.Write("a/one.yaml", yaml);
        var second = files.Write("b/two.yaml", yaml);
        var e = Assert.Throws<ManifestException>(() => ManifestLoader.Load(files.Directory));
        Assert.Equal(second, e.File);
        Assert.Equal($"TrafficSelector default/a is defined twice (first in {first}: document 1)", e.Reason);
    }

    [Fact]
    public void Missing_path_is_an_error()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestLoader.Load("/nonexistent/isthmus.yaml"));
        Assert.Equal("/nonexistent/isthmus.yaml: no such file or directory", e.Message);
    }

    [Fact]
    public void Directories_are_read_recursively_and_other_files_skipped()
    {
        using var files = new ManifestFiles();
        files.Write("x/y/sel.yml", "apiVersion: ipsec.isthmus.dev/v1alpha1\nkind: TrafficSelector\nmetadata: {name: a, namespace: vpn}\n");
        files.Write("notes.txt", "not: [yaml");
        var set = ManifestLoader.Load(files.Directory);
        Assert.True(set.TryGetTrafficSelector("vpn", "a", out _));
        Assert.False(set.TryGetTrafficSelector("default", "a", out _));
    }

    [Fact]
    public void Secret_data_that_is_not_base64_is_refused_without_the_value()
    {
        // As the API server refuses it: a Secret's data holds base64.
        var e = LoadError("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data:
              psk: "!!not-base64-secret-value"
            """);
        Assert.Equal("data.psk", e.Field);
        Assert.Equal("invalid value: expected base64-encoded data", e.Reason);
        Assert.DoesNotContain("secret-value", e.Message);
    }

    [Fact]
    public void Secret_data_is_decoded_and_base64_may_span_lines()
    {
        using var files = new ManifestFiles();
        var path = files.Write("s.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            type: Opaque
            immutable: true
            data:
              psk: |
                aHVudGVy
                Mg==
            """);
        var secret = Assert.Single(ManifestLoader.Load(path).Secrets);
        Assert.Equal("hunter2"u8.ToArray(), secret.Data!["psk"]);
        Assert.Equal(("v1", "Secret", "Opaque", true), (secret.ApiVersion, secret.Kind, secret.Type, secret.Immutable));
    }

    [Fact]
    public void Metadata_as_the_API_server_prints_it_loads_and_an_unknown_metadata_field_is_refused()
    {
        // The metadata of `kubectl get -o yaml`: every field of ObjectMeta is known (KubernetesClient's V1ObjectMeta).
        using var files = new ManifestFiles();
        var path = files.Write("t.yaml", """
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: TrafficSelector
            metadata:
              name: lans
              namespace: vpn
              uid: 6c1f0d5e-1b5a-4a52-9d1e-3f8f4f7c2a10
              generation: 2
              resourceVersion: "812"
              creationTimestamp: "2025-06-01T12:00:00Z"
              finalizers: [example.com/keep]
              annotations: {note: kept}
              managedFields:
                - manager: kubectl
                  operation: Apply
                  fieldsType: FieldsV1
                  fieldsV1: {"f:spec": {}}
            spec:
              local: [{cidr: 10.0.0.0/8}]
            """);
        var selector = Assert.Single(ManifestLoader.Load(path).TrafficSelectors);
        Assert.Equal(("vpn", "lans", 2L, "kept"), (selector.Metadata.NamespaceProperty, selector.Metadata.Name, selector.Metadata.Generation, selector.Metadata.Annotations["note"]));

        var e = LoadError("""
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: TrafficSelector
            metadata: {name: lans, namesapce: vpn}
            """);
        Assert.Equal("metadata.namesapce", e.Field);
        Assert.Equal("unknown field", e.Reason);
    }
}
