using System.Diagnostics;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

/// <summary>The real kubectl against the double, through a kubeconfig: discovery, apply, server-side tables.</summary>
public sealed class KubectlTests
{
    private static Task<(int Exit, string Output)> Run(string kubeconfig, params string[] args) =>
        Isthmus.Testing.Kubectl.RunAsync(kubeconfig, DoubleHarness.Ct, args);

    [Fact]
    public async Task Kubectl_applies_the_examples_and_lists_ipsectunnels_with_printer_columns()
    {
        await using var h = await DoubleHarness.StartAsync();
        var home = Directory.CreateTempSubdirectory("isthmus-kubectl-");
        try
        {
            var kubeconfig = h.Api.WriteKubeconfig(Path.Combine(home.FullName, "kubeconfig"));
            var examples = Path.Combine(Isthmus.Testing.RepositoryPaths.Root, "examples");

            // The double serves no OpenAPI schemas, so kubectl's client-side validation is off.
            var (exit, output) = await Run(kubeconfig, "apply", "--validate=false", "-f", Path.Combine(examples, "psk-secret.yaml"), "-f", Path.Combine(examples, "tunnel-refs.yaml"));
            Assert.True(exit == 0, output);
            Assert.Contains("ipsectunnel.ipsec.isthmus.dev/branch-to-hq created", output);

            h.Api.Store.Mutate(ApiResources.IpsecTunnels, "default", "branch-to-hq", t => t["status"] = new JsonObject
            {
                ["activeNode"] = "gw-1",
                ["rekeyCount"] = 2,
                ["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "Ready", ["status"] = "True" },
                    new JsonObject { ["type"] = "IkeSaEstablished", ["status"] = "True" }),
            });

            (exit, output) = await Run(kubeconfig, "get", "ipsectunnels");
            Assert.True(exit == 0, output);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^NAME\s+READY\s+PEER\s+NODE\s+IKE\s+REKEYS\s+AGE$", lines[0]);
            Assert.Matches(@"^branch-to-hq\s+True\s+192\.0\.2\.10\s+gw-1\s+True\s+2\s+\d+s$", lines[1]);

            (exit, output) = await Run(kubeconfig, "get", "secret", "hq-branch-psk", "-o", "jsonpath={.type}");
            Assert.True(exit == 0, output);
            Assert.Equal("Opaque", output);

            (exit, output) = await Run(kubeconfig, "apply", "--validate=false", "-f", Path.Combine(examples, "tunnel-refs.yaml"));
            Assert.True(exit == 0, output);
            Assert.Contains("ipsectunnel.ipsec.isthmus.dev/branch-to-hq unchanged", output);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Kubectl_installs_the_crds_waits_for_established_and_sees_schema_refusals()
    {
        await using var h = await DoubleHarness.StartAsync();
        var home = Directory.CreateTempSubdirectory("isthmus-kubectl-");
        try
        {
            var kubeconfig = h.Api.WriteKubeconfig(Path.Combine(home.FullName, "kubeconfig"));

            // The double serves no OpenAPI schemas, so kubectl's client-side validation is off (it then sends
            // fieldValidation=Ignore); the CRD validation, the schemas and their CEL rules are enforced by the server.
            // The CRDs a real API server refused are refused here with its message.
            var (exit, output) = await Run(kubeconfig, "apply", "--validate=false", "-f", Repository.CrdsA4f843b);
            Assert.True(exit != 0, output);
            Assert.Contains("estimated rule cost exceeds budget by factor of 52.3x", output);

            (exit, output) = await Run(kubeconfig, "apply", "--validate=false", "-f", Repository.Crds);
            Assert.True(exit == 0, output);
            Assert.Contains("customresourcedefinition.apiextensions.k8s.io/ipsectunnels.ipsec.isthmus.dev created", output);

            (exit, output) = await Run(kubeconfig, "wait", "--for", "condition=established", "--timeout=30s", "crd/ipsectunnels.ipsec.isthmus.dev", "crd/trafficselectors.ipsec.isthmus.dev");
            Assert.True(exit == 0, output);
            Assert.Contains("customresourcedefinition.apiextensions.k8s.io/ipsectunnels.ipsec.isthmus.dev condition met", output);

            (exit, output) = await Run(kubeconfig, "apply", "--validate=false", "-f", Path.Combine(Repository.InvalidExamples, "bad-peer-address.yaml"));
            Assert.True(exit != 0, output);
            Assert.Contains("The IpsecTunnel \"bad-peer-address\" is invalid: spec.peer.address: Invalid value: \"string\": peer.address must be an IPv4 or IPv6 address or a DNS name", output);

            (exit, output) = await Run(kubeconfig, "apply", "--validate=false", "-f", Path.Combine(Repository.Examples, "psk-secret.yaml"), "-f", Path.Combine(Repository.Examples, "tunnel-refs.yaml"));
            Assert.True(exit == 0, output);
            (exit, output) = await Run(kubeconfig, "get", "ipt", "branch-to-hq", "-o", "jsonpath={.spec.ike.rekeyTime}");
            Assert.True(exit == 0, output);
            Assert.Equal("4h", output);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}
