using Isthmus.Operator.Runtime.Finalizers;
using k8s.Models;

namespace Isthmus.Operator.Tests.Finalizers;

public sealed class FinalizerPatchTests
{
    [Fact]
    public void Finalizer_patches_carry_the_resource_version_and_are_null_when_nothing_changes()
    {
        var meta = new V1ObjectMeta { Name = "hq", ResourceVersion = "42", Finalizers = ["other/finalizer"] };

        var add = FinalizerPatch.Add(meta, "ipsec.isthmus.dev/node-config");
        Assert.NotNull(add);
        Assert.Equal(V1Patch.PatchType.MergePatch, add.Type);
        Assert.Equal("""{"metadata":{"finalizers":["other/finalizer","ipsec.isthmus.dev/node-config"],"resourceVersion":"42"}}""", add.Content as string);
        Assert.Null(FinalizerPatch.Remove(meta, "ipsec.isthmus.dev/node-config"));

        meta.Finalizers.Add("ipsec.isthmus.dev/node-config");
        Assert.Null(FinalizerPatch.Add(meta, "ipsec.isthmus.dev/node-config"));
        Assert.Equal("""{"metadata":{"finalizers":["other/finalizer"],"resourceVersion":"42"}}""", FinalizerPatch.Remove(meta, "ipsec.isthmus.dev/node-config")!.Content as string);
    }
}
